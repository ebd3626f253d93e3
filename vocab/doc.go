// Package vocab defines, once, the words that cross the session line
// between the session engine, the capture process's client, the uplink and
// the consent ledger (docs/architecture.md, "Version 2 layout"): Secret
// (sensitive bytes that are wiped on release) and Allocator (the one way
// to get them), Status (INE's answer), Verdict (the liveness decision),
// Strokes (the handwritten signature, with its one validation) and
// ConsentProof (where the ledger put a consent record).
//
// This package holds only types, constants and their checks: it must never
// import another package of this module, log or hold data.
package vocab
