// Package inesim is the reference INE side of Ventanilla's verification
// protocol (docs/protocol.md): an HTTP handler that decrypts a sealed
// request, checks the kiosk's signature, client certificate, replay window,
// nonce and consent proof, looks the credential up in a registry of
// synthetic citizens, scores the biometrics with a pluggable Matcher and
// answers with a sealed, signed, request-bound answer. It injects faults on
// demand (latency, 5xx, timeouts, bad signatures, replayed answers,
// malformed bodies) so kiosks can be tested against every failure.
//
// cmd/ine-sim serves it; tests run it in-process over real TLS on loopback.
// The OpenCV-based matcher lives in the leaf package inesim/cvmatch so this
// package builds without cgo.
//
// It must never store what it receives: no request, biometric, credential
// field or answer is written to a file or a log; decrypted plaintexts are
// wiped as soon as the answer is sealed. In memory it keeps only request
// ids, digests, nonces and sealed answers, for the idempotency and replay
// windows. It is a simulator: never deploy it as a verification service.
package inesim
