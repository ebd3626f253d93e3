package session

import (
	"context"
	"errors"
	"time"

	"github.com/ventanilla-mx/ventanilla/logging"
	"github.com/ventanilla-mx/ventanilla/vocab"
)

// This file holds the ports: the narrow interfaces the engine needs from
// the consent ledger, the credential rules, the capture pipelines and the
// uplink. The daemon writes thin adapters from the real packages to these.
//
// Ownership rule for every port: a Secret handed to the engine (in a
// result) belongs to the engine from then on, and the engine releases it;
// a Secret the engine hands out (in a request) is only lent for the call
// and must not be retained after the call returns.

// Secret is sensitive bytes in memory (vocab.Secret).
type Secret = vocab.Secret

// Allocator hands out Secrets of exactly n bytes, zeroed (vocab.Allocator);
// the engine uses it for credential fields.
type Allocator = vocab.Allocator

// ConsentRecorder is the consent ledger as the session sees it.
type ConsentRecorder interface {
	// RecordConsent seals, signs and appends one consent record and returns
	// only after the record is durably committed (fsync). The engine allows
	// no capture before it returns without error. It must not retain
	// c.Signature after returning: the engine wipes it. On error nothing is
	// committed and the citizen may sign again (retry is safe); the error
	// text must not hold personal data. It must return promptly once ctx
	// is done (the engine gives it Timeouts.Consent).
	RecordConsent(ctx context.Context, c *Consent) (ConsentReceipt, error)
}

// ConsentBinder records what became of a committed consent whose session
// ended without a verification (docs/consent.md, "Identity binding"). The
// binding of a verification is the Verifier's, made before it sends.
type ConsentBinder interface {
	// BindCancelled durably records that the session of consent c was
	// cancelled (or timed out) before any verification was sent. cred, the
	// credential entered so far (nil if none), is lent for the call: it is
	// sealed, never kept or logged. The error text must not hold personal
	// data. The engine calls it under its lock, with Timeouts.Consent.
	BindCancelled(ctx context.Context, c ConsentReceipt, cred *Credential) error
}

// Consent is what the citizen consents to, with the handwritten signature
// or, for a citizen who cannot sign on the screen, the acceptance typed on
// the keyboard (exactly one of the two).
type Consent struct {
	Session logging.SessionID
	// Requests are the verification requests this consent covers: the
	// first submission and the corrections the session may send (each
	// used at most once; INE admits the next only after a not-found or
	// data-mismatch answer to the previous).
	Requests []logging.RequestID
	Operator string // the clerk's staff id (a token, not a name)
	Time     time.Time
	Notice   NoticeRef
	Purposes []string
	// Signature is personal data lent for the call; the engine wipes it.
	Signature *Signature
	// Typed is the acceptance typed on the keyboard (nil with a Signature);
	// the recorder must record it as such, never as a signature.
	Typed *TypedAcceptance
	// EFirma is the citizen's SAT e.firma files and password (nil with
	// the others), lent for the call: the recorder signs the statement with
	// them and must not retain them; the engine wipes them. A refusal of
	// the e.firma itself is returned as an *EFirmaError.
	EFirma *EFirmaFiles
}

// EFirmaFiles is a SAT e.firma as the citizen brings it: the certificate
// (.cer, DER), the encrypted private key (.key, PKCS#8) and its password.
// All of it is personal data.
type EFirmaFiles struct {
	Cert, Key, Password []byte
}

// Wipe zeroes the files and the password.
func (f *EFirmaFiles) Wipe() {
	if f != nil {
		clear(f.Cert)
		clear(f.Key)
		clear(f.Password)
	}
}

// NoticeRef identifies the exact privacy notice text shown.
type NoticeRef struct {
	ID      string
	Version string
	Lang    string   // "es-MX" or "en"
	SHA256  [32]byte // of the exact text shown
}

// ConsentReceipt is the ledger's answer: the record id (UUIDv7 text; not
// personal data, may be logged) and where the record sits in the ledger.
// The Verifier adapter turns it into the inclusion proof sent to INE.
type ConsentReceipt struct {
	ID    string
	Proof ConsentProof
}

// ConsentProof is where the ledger put the record (defined once, in vocab).
type ConsentProof = vocab.ConsentProof

// CredentialValidator is the credential models' rules.
type CredentialValidator interface {
	// Fields returns the field names (protocol spelling, e.g. "cic") that
	// model ("A".."H") requires, in order, or an error for an unknown model.
	Fields(model string) ([]string, error)
	// ValidateField checks one value's shape. A rejection is a *FieldError
	// (field and rule, never the value). value is lent for the call.
	ValidateField(field string, value []byte) error
}

// FieldError says which credential field broke which rule; never the value.
type FieldError struct {
	Field string `json:"field"`
	Rule  string `json:"rule"` // e.g. "13 digits" (English; for logs and the technician)
	// Code is the rule's stable code (credential.RuleCodes: "digits",
	// "birth_date", ...); the UI shows its own translation of it.
	Code string `json:"code"`
}

func (e *FieldError) Error() string {
	return "session: credential field " + e.Field + ": want " + e.Rule
}

// Prompt is a live instruction or feedback for the citizen during capture.
// Code is stable ("face.too_far", "challenge.turn_left", "finger.place",
// "finger.lift", "finger.low_quality"; lower-case letters, digits, '.', '_',
// '-', at most 48 bytes); Message is the es-MX text the capturer suggests.
// Step/Steps count challenge steps (0 when not a challenge).
type Prompt struct {
	Code    string `json:"code"`
	Message string `json:"message,omitempty"`
	Step    int    `json:"step,omitempty"`
	Steps   int    `json:"steps,omitempty"`
}

// FaceCapturer runs the camera, the face quality gate and liveness.
type FaceCapturer interface {
	// CaptureFace captures one face with its liveness decision. It calls
	// prompt (never concurrently) with quality feedback and challenge
	// steps; prompt does not block. It returns when it has a decision,
	// when it fails, or promptly after ctx is done (then with ctx.Err()
	// and holding no buffer). On success the JPEG belongs to the engine.
	CaptureFace(ctx context.Context, prompt func(Prompt)) (*FaceResult, error)
}

// FaceResult is a best-shot JPEG in locked memory and the liveness summary.
// JPEG may be nil when the decision is not Live: a rejected face need not
// be encoded at all.
type FaceResult struct {
	JPEG     Secret
	Liveness Liveness
}

// Decision is the liveness verdict (defined once, in vocab).
type Decision = vocab.Verdict

// Liveness decisions: only Live faces are sent to INE.
const (
	Live      = vocab.Live
	Spoof     = vocab.Spoof
	Uncertain = vocab.Uncertain
)

// Liveness summarises the presentation-attack checks: no image.
type Liveness struct {
	Decision Decision
	Method   string
	Cues     map[string]float64 // each in [0, 1]
}

// FingerCapturer runs the scanner and the fingerprint quality gate.
type FingerCapturer interface {
	// CaptureFinger captures finger position (1-10, ISO/IEC 19794-4
	// codes). It calls prompt (never concurrently) with "finger.place",
	// "finger.lift" and quality feedback; prompt does not block. It
	// returns an image that passed the quality gate, an error (wrap
	// ErrQuality when the finger never reached the quality,
	// ErrCaptureTimeout when no finger was placed in time, ErrDevice when
	// the scanner is unusable), or ctx.Err() promptly after ctx is done,
	// holding no buffer. On success the image belongs to the engine.
	CaptureFinger(ctx context.Context, position int, prompt func(Prompt)) (*FingerResult, error)
}

// FingerResult is an encoded fingerprint in locked memory.
type FingerResult struct {
	Position int
	Format   string // "wsq" or "iso19794-4"
	Image    Secret
	Quality  int // 0-100, higher is better; 0 when unknown
}

// Previewer streams a low-resolution camera preview for the kiosk screen.
type Previewer interface {
	// Preview calls frame with JPEG frames until ctx is done or frame
	// returns an error. The slice is valid only during the call and must
	// never be stored. It returns nil when ctx is done.
	Preview(ctx context.Context, frame func(jpeg []byte) error) error
}

// Verifier is the uplink to INE.
type Verifier interface {
	// Verify sends one verification. It always returns an Answer: when no
	// trustworthy answer was obtained, vocab.StatusUnknown with a Reason (and
	// possibly an error, which is logged without personal data). The
	// Secrets in req are lent: not retained after return; the engine wipes
	// them. It must return promptly once ctx is done (Timeouts.Submit).
	Verify(ctx context.Context, req *VerifyRequest) (Answer, error)
}

// VerifyRequest is what the engine hands to the Verifier.
type VerifyRequest struct {
	Session    logging.SessionID
	Request    logging.RequestID
	Consent    ConsentReceipt
	Credential *Credential
	Face       *FaceResult   // nil when no face is sent; Liveness.Decision is Live
	Finger     *FingerResult // nil when no finger is sent
}

// Credential is the credential data typed or scanned at the counter. Each
// value is a Secret owned by the engine.
type Credential struct {
	Model  string // "A".."H"
	Fields []Field
}

// Field is one credential field.
type Field struct {
	Name  string
	Value Secret
}

// Answer is the verification outcome. It is personal data: shown on the
// screen, never logged or stored.
type Answer struct {
	Status           vocab.Status
	Reason           string // with vocab.StatusUnknown: short safe code ("timeout", "unreachable")
	FaceSimilarity   int    // 0-100, or -1 when no face was compared
	FingerSimilarity int    // 0-100, or -1
	FingerPosition   int    // 1-10, or 0
}

// Sentinel errors a capturer wraps so the engine can tell the citizen
// what to do.
var (
	// ErrQuality: the sample never reached the quality gate; another
	// attempt (or another finger) may work. Retry is safe.
	ErrQuality = errors.New("capture did not reach the required quality")
	// ErrDevice: the camera or scanner is unusable; the technician must
	// look. Retrying soon will fail again.
	ErrDevice = errors.New("capture device unavailable")
	// ErrCaptureTimeout: nothing was presented before the capture's own
	// time ran out (no finger placed, no face in view). Not a quality
	// verdict; retry is safe.
	ErrCaptureTimeout = errors.New("nothing was presented in time")
)
