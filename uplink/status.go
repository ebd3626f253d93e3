package uplink

import "github.com/ventanilla-mx/ventanilla/vocab"

// Status is INE's normalised answer (defined once, in vocab).
type Status = vocab.Status

// The answer vocabulary (docs/protocol.md, "Answer"); see vocab.
const (
	StatusValid                   = vocab.StatusValid
	StatusValidIdentificationOnly = vocab.StatusValidIdentificationOnly
	StatusNotCurrent              = vocab.StatusNotCurrent
	StatusLostOrStolen            = vocab.StatusLostOrStolen
	StatusNotFound                = vocab.StatusNotFound
	StatusDataMismatch            = vocab.StatusDataMismatch
	StatusSuspendedRights         = vocab.StatusSuspendedRights
	StatusUnknown                 = vocab.StatusUnknown
)

// Statuses lists INE's vocabulary in a stable order.
func Statuses() []Status { return vocab.Statuses() }

// Reason says why an answer is StatusUnknown. It is safe to log and to use
// as a metric label.
type Reason string

// Reasons for StatusUnknown.
const (
	ReasonNone           Reason = ""
	ReasonInvalidRequest Reason = "invalid-request" // the kiosk's own data failed validation
	ReasonLocal          Reason = "local-error"     // sealing, signing or memory failed on the kiosk
	ReasonUnreachable    Reason = "unreachable"     // connection refused, DNS, no route
	ReasonTLS            Reason = "tls"             // handshake or certificate failure
	ReasonTimeout        Reason = "timeout"         // deadline passed before an answer
	ReasonCanceled       Reason = "canceled"        // the caller gave up (session aborted)
	ReasonServerError    Reason = "server-error"    // HTTP 5xx after the retries
	ReasonRefused        Reason = "refused"         // INE refused the request (4xx); Error.Code says why
	ReasonBadAnswer      Reason = "bad-answer"      // the answer could not be parsed
	ReasonBadSignature   Reason = "bad-signature"   // the answer's INE signature is wrong
	ReasonNotBound       Reason = "not-bound"       // the answer belongs to another request
)
