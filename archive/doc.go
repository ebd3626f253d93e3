// Package archive is the municipality's consent archive (issue 14): the
// witness and backup of every kiosk's consent log, on PostgreSQL (pgx).
//
// Kiosks push records, identity bindings and signed checkpoints. The
// archive verifies every signature, checks that the pushed log extends what
// it already holds for that kiosk (same leaves, same roots), refuses a fork
// or a rewrite (and keeps both checkpoints as an alert), countersigns every
// checkpoint it accepts, and answers INE's evidence requests by request id
// or by a credential's lookup commitment, without opening any sealed box.
//
// The service's database role may only SELECT and INSERT; ingest is
// idempotent on (kiosk, index). Retention erases only sealed payloads
// (Erase, run under a separate role); leaf hashes and tree hashes stay, so
// the log and its proofs still verify.
//
// It must never log, return in an error, or store in the clear a name, a
// credential number or any other sealed field; it never holds the archive
// private key.
package archive
