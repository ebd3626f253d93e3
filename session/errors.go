package session

// Error is a refused request. Code is stable (the kiosk API returns it and
// the UI translates it); the message says what to do and holds no
// personal data. A refused request changes nothing.
type Error struct {
	Code string
	Msg  string
}

func (e *Error) Error() string { return "session: " + e.Msg }

// Is matches by code, so wrapped copies compare equal to the sentinels.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// Refusals. None of them changes the session; retrying the same request
// gives the same answer until the session moves on.
var (
	ErrSessionActive    = &Error{"session_active", "another session is in progress; finish or abort it first"}
	ErrNoSession        = &Error{"no_session", "no session is in progress; claim one first"}
	ErrStaleSession     = &Error{"stale_session", "that session has ended; reload the kiosk screen"}
	ErrWrongStep        = &Error{"wrong_step", "the session is not at the step this request belongs to"}
	ErrBusy             = &Error{"busy", "the previous request of this session is still running; wait for its event"}
	ErrConsentRequired  = &Error{"consent_required", "no capture before the consent is committed"}
	ErrCredentialNeeded = &Error{"credential_required", "enter the credential data before capturing"}
	ErrNoticeMismatch   = &Error{"notice_mismatch", "the notice accepted is not the one offered; show the current notice again"}
	ErrBadSignature     = &Error{"invalid_signature", "the signature is empty or malformed; ask the citizen to sign again"}
	ErrBadAcceptance    = &Error{"invalid_acceptance", "the typed text is not the acceptance phrase of the notice's language; ask the citizen to type it again"}
	ErrBadEFirma        = &Error{"invalid_efirma", "the e.firma was refused (see the reason); the citizen may check the files and password and try again"}
	ErrBadCredential    = &Error{"invalid_credential", "the credential data do not match the model's rules"}
	ErrModality         = &Error{"modality_unavailable", "this kiosk does not offer that capture"}
	ErrFingerPosition   = &Error{"invalid_finger", "finger position must be 1 to 10"}
	ErrFaceRefused      = &Error{"face_refused", "no more face attempts in this session; use a fingerprint"}
	ErrFingerRefused    = &Error{"finger_refused", "no more finger attempts; submit what was captured or abort"}
	ErrNotCapturing     = &Error{"not_capturing", "no capture is running"}
	ErrNotCorrectable   = &Error{"not_correctable", "this answer cannot be corrected and sent again; finish the session"}
	ErrNothingToSubmit  = &Error{"nothing_to_submit", "capture a face or a fingerprint before submitting"}
	ErrConsentNotStored = &Error{"consent_not_recorded", "the consent could not be recorded; ask the citizen to sign again, and call a technician if it repeats"}
	ErrNoMemory         = &Error{"no_memory", "secure memory is exhausted; abort the session and call a technician"}
	ErrClosed           = &Error{"closed", "the kiosk is shutting down"}
)

// EFirma refusal reasons (EFirmaError.Reason): stable codes for the clerk
// and the kiosk screen, which says each in the citizen's language.
const (
	EFirmaWrongPassword = "wrong_password"      // the .key does not open with that password
	EFirmaNotCertKey    = "not_certificate_key" // the .key is not the .cer's key
	EFirmaExpired       = "expired"             // the certificate is not valid now
	EFirmaUntrusted     = "untrusted"           // not issued by a configured SAT CA (or none configured)
	EFirmaNotForSigning = "not_for_signing"     // the certificate does not allow digital signatures
	EFirmaUnreadable    = "unreadable"          // the files are not a .cer and an encrypted .key
	EFirmaUnsupported   = "unsupported"         // the .key's encryption scheme is not supported
)

// EFirmaError is ErrBadEFirma with its reason. It never carries the
// certificate's subject.
type EFirmaError struct{ Reason string }

func (e *EFirmaError) Error() string { return "session: e.firma refused: " + e.Reason }

// Unwrap makes errors.Is(err, ErrBadEFirma) and errors.As(err, **Error) hold.
func (e *EFirmaError) Unwrap() error { return ErrBadEFirma }
