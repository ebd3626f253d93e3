package vocab

// Status is INE's normalised answer, or StatusUnknown when no trustworthy
// answer was obtained (docs/protocol.md, "Answer"). The session shows it;
// the uplink parses it; both use this one type.
type Status string

// The answer vocabulary.
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
	// Never show it as a denial; the answer's reason says why.
	StatusUnknown Status = "unknown"
)

// Valid reports whether s is part of INE's vocabulary (StatusUnknown is
// the kiosk's own, so it is not).
func (s Status) Valid() bool {
	switch s {
	case StatusValid, StatusValidIdentificationOnly, StatusNotCurrent, StatusLostOrStolen,
		StatusNotFound, StatusDataMismatch, StatusSuspendedRights:
		return true
	}
	return false
}

// Statuses lists INE's vocabulary in a stable order.
func Statuses() []Status {
	return []Status{StatusValid, StatusValidIdentificationOnly, StatusNotCurrent,
		StatusLostOrStolen, StatusNotFound, StatusDataMismatch, StatusSuspendedRights}
}
