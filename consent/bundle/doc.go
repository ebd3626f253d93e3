// Package bundle is the auditor's evidence format for consents: a
// self-contained, versioned JSON Lines file with consent records, their
// inclusion proofs against one signed checkpoint, the kiosk's public key and
// optionally a consistency proof from an earlier checkpoint. It writes,
// parses and verifies bundles offline, in pure Go (no cgo, no database).
//
// The format is documented in docs/consent.md. Verification reports every
// failure with where it happened (record id, leaf index, line, proof) and
// accepts a bundle only if everything holds. It checks records on every
// core (GOMAXPROCS) and reports in file order, so the report does not
// depend on the number of cores.
//
// This package must never decrypt or print sealed personal fields (that is
// `ventanillactl consent open`, with the archive key), and must never trust
// the public key inside a bundle more than the one the auditor supplies.
package bundle
