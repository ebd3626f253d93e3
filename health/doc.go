// Package health is the daemon's registry of declared conditions and
// self-test checks.
//
// A condition is declared once, at start-up, with a stable code, a severity,
// the conditions it depends on, a time-to-visible (how long it must stay
// active before anyone is told) and a message a technician can act on.
// Subsystems' state is translated into Set/Clear calls by the daemon. The
// readiness endpoint, the systemd STATUS= line and the watchdog all read the
// same registry, so they never disagree.
//
// A condition whose dependency is active is shown as caused by it instead of
// being counted on its own: a dead USB hub is one problem, not three.
//
// This package must never hold personal data: details passed to Set are shown
// to technicians and exported in metrics, so they may name devices, paths and
// errors, never a citizen, a credential or a biometric.
package health
