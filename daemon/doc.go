// Package daemon is the only place that wires Ventanilla together: it reads
// the validated config, builds every subsystem, owns every long-lived
// goroutine, serves the diagnostics API, and speaks to systemd (READY=1,
// STATUS=, STOPPING=1, watchdog pings).
//
// Run is the whole life cycle. One root context, cancelled by the caller on
// SIGINT/SIGTERM, stops everything; shutdown is bounded by the configured
// timeout, and Run does not return until every goroutine it started has
// ended (or reports which ones did not).
//
// Nothing imports daemon. Subsystems never learn about it: they take options
// and report state through their own types, which the daemon turns into
// health conditions, self-tests and metrics.
//
// This package must never log or expose personal data; diagnostics show
// conditions, counts and settings only.
package daemon
