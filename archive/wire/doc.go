// Package wire is the kiosk↔archive push protocol: the push and its
// acknowledgement (JSON over HTTPS with mutual TLS) and the kiosk's client.
// It is pure Go and imports no database driver, so the kiosk daemon links
// it without pgx.
//
// It must never carry personal data in the clear: records and bindings
// travel as their canonical, sealed, signed bytes.
package wire
