// Package uplink implements Ventanilla's verification protocol with INE
// (docs/protocol.md, version 1): the kiosk side (build, sign, seal, send,
// open and check the answer) and the primitives the INE side needs (open a
// request, check its signature and consent proof, seal a bound answer), which
// the reference service in package uplink/inesim uses.
//
// A request carries the credential fields, one or more biometrics as opaque
// bytes with a format tag, a liveness summary and the consent proof. It is
// signed with the kiosk's Ed25519 device key and sealed with HPKE (RFC 9180,
// base mode, MLKEM768-X25519 by default) to INE's published key. The answer
// is sealed with a key exported from the request's HPKE context, so it can
// only be opened by the kiosk that sent that request, and it is signed by
// INE. Transport is HTTPS with TLS 1.3 and client certificates.
//
// Network and protocol failures are never a denial: the client returns
// vocab.StatusUnknown with a Reason.
//
// The sealed request plaintext, which holds the biometrics, is built in
// secmem and wiped before Verify returns. This package never writes a file,
// and never logs or puts into an error a credential field, an image, a
// template or an answer.
package uplink
