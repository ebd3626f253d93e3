// Package web holds the kiosk UI, embedded in the binary: one HTML page,
// a stylesheet and plain JavaScript (no build step, no third-party code),
// with Spanish (es-MX) first and English, and the privacy notice texts.
//
// The page runs under a strict Content-Security-Policy (no inline script,
// no inline style, nothing from another origin). It renders the session
// purely from the kiosk API's state and event stream, so a reload resumes
// where the session is. It keeps the operator's token and everything the
// citizen typed in memory only: nothing goes to localStorage, cookies or
// the URL.
//
// This package must never contain a real person's data or picture: the
// card drawings are schematic SVG.
package web
