// Package vocab defines, once, the words that cross the session line
// between the session engine, the capture process's client, the uplink and
// the consent ledger (docs/architecture.md, "Version 2 layout").
//
// So far: Secret (sensitive bytes that are wiped on release) and Allocator
// (the one way to get them). Status, Verdict, Strokes and ConsentProof
// follow as their owners move them here.
//
// This package holds only types and constants: it must never import
// another package of this module, allocate, log or hold data.
package vocab
