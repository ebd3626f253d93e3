// Package evidence is the bundle the archive hands INE for an evidence
// request (format ventanilla.mx/archive-evidence, version 1): the records
// asked for, their identity bindings, inclusion proofs, and each kiosk's
// checkpoint countersigned by the archive; the whole file is signed by the
// archive key in its trailer. Verify checks it offline, without a database
// or a C toolchain.
//
// It must never print or return sealed fields: it does not open boxes.
package evidence
