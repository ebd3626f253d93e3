package uplink

// Status is INE's normalised answer, or StatusUnknown when no trustworthy
// answer was obtained.
type Status string

// The answer vocabulary (docs/protocol.md, "Answer").
const (
	// StatusValid: the credential exists, is current and the data match.
	StatusValid Status = "valid"
	// StatusValidIdentificationOnly: usable as identification but not to
	// vote (e.g. a credential past its electoral validity that INE still
	// accepts as ID).
	StatusValidIdentificationOnly Status = "valid-identification-only"
	// StatusNotCurrent: expired or replaced; invite the citizen to an INE
	// module.
	StatusNotCurrent Status = "not-current"
	// StatusLostOrStolen: reported lost or stolen.
	StatusLostOrStolen Status = "reported-lost-stolen"
	// StatusNotFound: no credential with these data.
	StatusNotFound Status = "not-found"
	// StatusDataMismatch: the credential exists but a field does not match.
	StatusDataMismatch Status = "data-mismatch"
	// StatusSuspendedRights: the holder's political rights are suspended.
	StatusSuspendedRights Status = "suspended-rights"
	// StatusUnknown: no trustworthy answer (network, protocol, refusal).
	// Never show it as a denial; Answer.Reason says why.
	StatusUnknown Status = "unknown"
)

// ineStatuses are the statuses INE may send (StatusUnknown is kiosk-side).
var ineStatuses = map[Status]bool{
	StatusValid: true, StatusValidIdentificationOnly: true, StatusNotCurrent: true,
	StatusLostOrStolen: true, StatusNotFound: true, StatusDataMismatch: true,
	StatusSuspendedRights: true,
}

// Valid reports whether s is part of INE's vocabulary.
func (s Status) Valid() bool { return ineStatuses[s] }

// Statuses lists INE's vocabulary in a stable order.
func Statuses() []Status {
	return []Status{StatusValid, StatusValidIdentificationOnly, StatusNotCurrent,
		StatusLostOrStolen, StatusNotFound, StatusDataMismatch, StatusSuspendedRights}
}

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
