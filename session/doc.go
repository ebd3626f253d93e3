// Package session is the kiosk's session engine: the state machine of one
// counter verification, from the operator's claim to the wipe.
//
//	claim ─▶ notice ─▶ signature ─▶ (consent committed) ─▶ credential ─▶
//	biometrics ⇄ face | finger ─▶ submitting ─▶ (wipe) ─▶ answer ─▶ idle
//
// One session runs at a time per kiosk (Claim, then Finish or Abort, as
// fprintd's claim/release); it is released automatically when a step times
// out, when the whole session outlives Timeouts.Session and when no kiosk
// screen is attached for Timeouts.ClientLoss. No capture starts before the
// consent ledger has durably committed the consent. Events form a closed
// vocabulary (Kinds, States, EndReason, Outcome).
//
// The engine reaches the rest of the kiosk only through the ports in
// ports.go (ConsentRecorder, CredentialValidator, FaceCapturer,
// FingerCapturer, Previewer, Verifier, Allocator); the daemon adapts the
// real packages to them, and sessiontest provides fakes. Every Secret the
// session holds (credential fields, the face JPEG, the fingerprint image)
// lives in one vault per submission that is wiped after the answer, on
// abort, on timeout and on shutdown; a wipe requested while the verifier
// still reads the buffers happens the moment it returns. A verifier
// failure is shown as "try again" (OutcomeRetry), never as a denial.
//
// This package must never write a file, and never put a name, a credential
// value, an image, a signature stroke or an answer into a log line, an
// error or a metric label. It does not speak HTTP (see session/kioskapi).
package session
