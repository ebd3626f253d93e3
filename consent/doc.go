// Package consent defines the citizen's consent record and everything needed
// to check one without a database: the deterministic canonical encoding, the
// record signature by the kiosk's device key, the sealing of personal fields
// to the municipality's archive key (crypto/hpke), handwritten-signature
// strokes with their SVG rendering, SAT e.firma verification, and the C2SP
// checkpoints that commit the consent log.
//
// The SQLite store lives in consent/ledger (cgo); the auditor's bundle format
// and its offline verification live in consent/bundle. This package is pure Go
// so that the verify path builds and tests without cgo.
//
// The byte-by-byte encoding is documented in docs/consent.md; changing it is a
// new format version, never an edit.
//
// This package must never put a personal field (a name, a credential number, a
// signature stroke, an e.firma certificate) anywhere but inside a sealed
// box: not in the clear part of a record, a log line, an error message or a
// metric. It never reads the sealed box back on the kiosk: opening needs the
// archive private key, which only auditors hold. It never holds an image, a
// biometric template or an INE answer.
package consent
