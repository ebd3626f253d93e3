// Package audit replays the attacks of issue 17 (findings 1, 2, 3 and the
// kiosk-API part of 6) against a live daemon started in-process, as
// `make run` does but with the simulated kiosk and a provisioned INE
// simulator, on 127.0.0.1 only, and prints how many were tried and
// refused per class. Run it with `make audit` (go test -run TestAudit
// ./internal/audit -args -audit); without -audit it skips.
//
// It must never aim at anything but loopback addresses of the daemon it
// started, and never keeps what it reads.
package audit
