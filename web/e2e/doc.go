// Package e2e holds the kiosk's browser end-to-end tests: Debian's
// Chromium, headless, driven by chromedp through the kiosk UI against the
// kiosk API and the session engine, with fakes for capture, consent and
// uplink (synthetic images only, never a real biometric). An axe-core
// accessibility check runs on every screen. Screenshots of a failing test
// are kept under testdata-out/e2e/ at the repository root (git-ignored).
//
// The tests skip when Chromium is not installed (scripts/deps.sh installs
// it); the accessibility check skips when axe-core was not fetched
// (scripts/deps.sh puts it under .cache/node). This package has no
// non-test code beyond this comment.
package e2e
