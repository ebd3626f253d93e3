// Package devicekey holds the kiosk's Ed25519 device key: it loads or creates
// the key file (PEM, PKCS#8 "PRIVATE KEY") and signs with it, for consent
// records, consent checkpoints (as a signed-note signer) and verification
// requests.
//
// Callers depend on the Signer interface, so a TPM-backed signer can replace
// the file later without touching them.
//
// This package must never log, print or export the private key, and never
// write a key file with permissions wider than 0600.
package devicekey
