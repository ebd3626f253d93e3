package session

import (
	"context"
	"errors"
	"slices"

	"github.com/ventanilla-mx/ventanilla/logging"
	"github.com/ventanilla-mx/ventanilla/vocab"
)

// Point is one sample of the handwritten signature (defined once, in vocab).
type Point = vocab.Point

// Stroke is the points between a pen-down and the next pen-up.
type Stroke = vocab.Stroke

// Signature is the citizen's handwritten signature (vocab.Strokes: the
// consent ledger's own type and rules). Personal data: the engine wipes it
// once the ledger has it.
type Signature = vocab.Strokes

// TypedAcceptance is a consent typed on the keyboard (vocab.TypedAcceptance).
type TypedAcceptance = vocab.TypedAcceptance

// AcceptNotice records that the citizen read and accepted notice ref,
// which must be one of Opts.Notices (same id, version, language, digest).
func (e *Engine) AcceptNotice(id logging.SessionID, ref NoticeRef) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	s, err := e.stepLocked(id, StateNotice)
	if err != nil {
		return err
	}
	if !slices.ContainsFunc(e.o.Notices, func(n Notice) bool { return n.Ref() == ref }) {
		return ErrNoticeMismatch
	}
	s.notice = ref
	e.enterLocked(s, StateSignature, e.o.Timeouts.Signature)
	e.emitLocked(Event{Kind: KindNoticeAccepted})
	return nil
}

// SignConsent commits the consent with sig and waits for the ledger. sig
// is wiped before SignConsent returns, whatever happens. On a ledger
// failure the session stays at the signature step (ErrConsentNotStored).
func (e *Engine) SignConsent(ctx context.Context, id logging.SessionID, sig *Signature) (string, error) {
	defer sig.Wipe()
	return e.commitConsent(ctx, id, evidence{sig: sig})
}

// TypeConsent commits the consent with the acceptance phrase typed on the
// keyboard (issue 13, finding 7): the path for a citizen who cannot sign
// on the screen. phrase must be vocab.AcceptancePhrase of the language of
// the notice accepted (ErrBadAcceptance). Otherwise as SignConsent.
func (e *Engine) TypeConsent(ctx context.Context, id logging.SessionID, phrase string) (string, error) {
	return e.commitConsent(ctx, id, evidence{phrase: phrase})
}

// EFirmaConsent commits the consent signed with the citizen's SAT e.firma
// (issue 13, item 7): the recorder signs the statement with f and the
// ledger verifies the chain. f is wiped before return. A refused e.firma
// is an *EFirmaError (errors.Is ErrBadEFirma) and leaves the session at
// the signature step. Otherwise as SignConsent.
func (e *Engine) EFirmaConsent(ctx context.Context, id logging.SessionID, f *EFirmaFiles) (string, error) {
	defer f.Wipe()
	if f == nil || len(f.Cert) == 0 || len(f.Key) == 0 {
		return "", &EFirmaError{Reason: EFirmaUnreadable}
	}
	return e.commitConsent(ctx, id, evidence{efirma: f})
}

// evidence is what the citizen gives to consent: exactly one of a drawn
// signature, the typed phrase (when both others are nil) or an e.firma.
type evidence struct {
	sig    *Signature
	phrase string
	efirma *EFirmaFiles
}

// commitConsent records the consent with the evidence ev.
func (e *Engine) commitConsent(ctx context.Context, id logging.SessionID, ev evidence) (string, error) {
	c, s, err := e.beginConsent(id, ev)
	if err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(ctx, e.o.Timeouts.Consent)
	defer cancel()
	rec, rerr := e.p.Consent.RecordConsent(ctx, c)
	e.mu.Lock()
	defer e.mu.Unlock()
	s.busy = false
	if e.cur != s || s.state != StateSignature {
		// Aborted (or ended by a critical condition) while the ledger worked: the consent may be recorded
		// (that is fine: consent without capture harms nobody).
		return "", ErrStaleSession
	}
	var refused *EFirmaError
	if errors.As(rerr, &refused) {
		e.log.Info("e.firma refused", logging.Session(s.id), "reason", refused.Reason)
		e.emitLocked(Event{Kind: KindConsentFailed, Code: ErrBadEFirma.Code})
		return "", refused
	}
	if rerr != nil || rec.ID == "" {
		e.log.Warn("consent not recorded", logging.Session(s.id), "err", rerr)
		e.emitLocked(Event{Kind: KindConsentFailed, Code: ErrConsentNotStored.Code})
		return "", ErrConsentNotStored
	}
	s.consent = &rec
	e.enterLocked(s, StateCredential, e.o.Timeouts.Credential)
	e.emitLocked(Event{Kind: KindConsentCommitted, Consent: rec.ID})
	e.log.Info("consent committed", logging.Session(s.id), "consent", rec.ID)
	return rec.ID, nil
}

func (e *Engine) beginConsent(id logging.SessionID, ev evidence) (*Consent, *sess, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	s, err := e.stepLocked(id, StateSignature)
	if err != nil {
		return nil, nil, err
	}
	c := &Consent{Session: s.id, Requests: slices.Clone(s.reqs), Operator: s.operator, Time: e.o.Now(),
		Notice: s.notice, Purposes: slices.Clone(e.o.Purposes)}
	switch {
	case ev.efirma != nil:
		c.EFirma = ev.efirma
	case ev.sig != nil:
		if err := ev.sig.Validate(); err != nil {
			return nil, nil, ErrBadSignature
		}
		c.Signature = ev.sig
	default:
		t := TypedAcceptance{Lang: s.notice.Lang, Phrase: ev.phrase}
		if !t.Valid() {
			return nil, nil, ErrBadAcceptance
		}
		c.Typed = &t
	}
	s.busy = true
	return c, s, nil
}

// Fields returns the fields model requires, for the UI.
func (e *Engine) Fields(model string) ([]string, error) {
	f, err := e.p.Credentials.Fields(model)
	if err != nil {
		return nil, ErrBadCredential
	}
	return f, nil
}

// SetCredential validates and stores the credential data. values maps
// field names to values and is wiped (every slice zeroed) before return.
// A rejection is a *FieldError wrapped with ErrBadCredential and leaves
// the session as it was. It may replace earlier data while no capture or
// submission runs.
func (e *Engine) SetCredential(id logging.SessionID, model string, values map[string][]byte) error {
	defer wipeValues(values)
	e.mu.Lock()
	defer e.mu.Unlock()
	s, err := e.stepLocked(id, StateCredential, StateBiometrics)
	if err != nil {
		return e.gateLocked(id, err)
	}
	cred, err := e.buildCredential(model, values)
	if err != nil {
		return err
	}
	e.replaceCredentialLocked(s, cred)
	if s.state == StateCredential {
		e.enterLocked(s, StateBiometrics, e.o.Timeouts.Biometrics)
	}
	e.emitLocked(Event{Kind: KindCredentialAccepted})
	return nil
}

func (e *Engine) replaceCredentialLocked(s *sess, cred *Credential) {
	if old := s.cred; old != nil {
		for _, f := range old.Fields {
			s.vault.drop(f.Value)
		}
	}
	for _, f := range cred.Fields {
		s.vault.put(f.Value)
	}
	s.cred = cred
}

// buildCredential validates values and copies them into Secrets.
func (e *Engine) buildCredential(model string, values map[string][]byte) (*Credential, error) {
	names, err := e.p.Credentials.Fields(model)
	if err != nil {
		return nil, ErrBadCredential
	}
	if len(values) != len(names) {
		return nil, errors.Join(ErrBadCredential, &FieldError{Field: "(set)", Rule: "exactly the model's fields", Code: "fields"})
	}
	for _, n := range names {
		v, ok := values[n]
		if !ok || len(v) == 0 {
			return nil, errors.Join(ErrBadCredential, &FieldError{Field: n, Rule: "present", Code: "required"})
		}
		if err := e.p.Credentials.ValidateField(n, v); err != nil {
			return nil, errors.Join(ErrBadCredential, fieldError(n, err))
		}
	}
	return e.secretCredential(model, names, values)
}

func (e *Engine) secretCredential(model string, names []string, values map[string][]byte) (*Credential, error) {
	cred := &Credential{Model: model}
	for _, n := range names {
		sec, err := e.p.Alloc.Alloc(len(values[n]))
		if err != nil {
			for _, f := range cred.Fields {
				f.Value.Release()
			}
			return nil, ErrNoMemory
		}
		copy(sec.Bytes(), values[n])
		cred.Fields = append(cred.Fields, Field{Name: n, Value: sec})
	}
	return cred, nil
}

// gateLocked turns a wrong-step refusal into the more telling
// ErrConsentRequired while session id has no committed consent.
func (e *Engine) gateLocked(id logging.SessionID, err error) error {
	if errors.Is(err, ErrWrongStep) && e.cur != nil && e.cur.id == id && e.cur.consent == nil {
		return ErrConsentRequired
	}
	return err
}

func fieldError(name string, err error) *FieldError {
	var fe *FieldError
	if errors.As(err, &fe) {
		return fe
	}
	return &FieldError{Field: name, Rule: "a valid value", Code: "invalid"}
}

func wipeValues(m map[string][]byte) {
	for _, v := range m {
		clear(v)
	}
}
