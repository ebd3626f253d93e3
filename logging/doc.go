// Package logging builds the daemon's log/slog handler and defines the
// identifiers that may appear in logs.
//
// Output goes to the systemd journal (structured fields) when stderr is the
// journal stream, otherwise logfmt on stderr. The level is a slog.LevelVar
// that the diagnostics API can change at run time.
//
// Two safety nets sit in front of every handler: a value whose type marks
// itself as personal data (Sensitive) is replaced by "[redacted]", and raw
// byte slices are replaced by their length, so an image or template passed by
// mistake never reaches a log. Identifiers that may be logged (SessionID,
// RequestID) have their own types; there is no function here that takes a
// free-form personal value.
//
// This package must never write a name, a credential number, an image, a
// template, a signature stroke or an INE answer anywhere.
package logging
