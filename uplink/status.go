package uplink

// Reason says why an answer is vocab.StatusUnknown. It is safe to log and to use
// as a metric label.
type Reason string

// Reasons for vocab.StatusUnknown.
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
