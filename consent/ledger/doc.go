// Package ledger is the kiosk's durable consent log: an append-only SQLite
// store (mattn/go-sqlite3, WAL, synchronous=FULL, immediate transactions)
// holding signed consent records, the RFC 6962 Merkle hashes of the log
// (golang.org/x/mod/sumdb/tlog) and the latest signed checkpoint. One
// transaction writes the record, its hashes and the new checkpoint, so an
// Append that returns has been fsynced and is provable.
//
// It serves inclusion proofs for verification requests, exports auditor
// bundles (consent/bundle), and audits itself.
//
// This package must never store an image, a biometric template or an INE
// answer (the schema has no place for one), never hold a personal field in
// the clear (records arrive sealed from consent.NewRecord), never update or
// delete a record (triggers refuse it), and never log anything but record
// ids, indexes and counts. It is the only cgo part of consent.
package ledger
