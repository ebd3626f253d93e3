package session

import (
	"context"
	"time"

	"github.com/ventanilla-mx/ventanilla/logging"
)

// Submit hands the credential and the captured biometrics to the verifier.
// The answer arrives as an answer.ready event, after every buffer of the
// session has been wiped (session.wiped comes first).
func (e *Engine) Submit(id logging.SessionID) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	s, err := e.stepLocked(id, StateBiometrics)
	if err != nil {
		return e.gateLocked(id, err)
	}
	if s.face == nil && s.finger == nil {
		return ErrNothingToSubmit
	}
	if s.sent >= len(s.reqs) {
		return ErrNotCorrectable // every request id of the consent is used
	}
	req := &VerifyRequest{Session: s.id, Request: s.reqs[s.sent], Consent: *s.consent,
		Credential: s.cred, Face: s.face, Finger: s.finger}
	s.sent++
	e.enterLocked(s, StateSubmitting, e.o.Timeouts.Submit+time.Second)
	gen := s.gen
	ctx, cancel := context.WithTimeout(context.Background(), e.o.Timeouts.Submit)
	s.cancel = cancel
	vault := s.vault
	giveBack := vault.borrow()
	e.emitLocked(Event{Kind: KindSubmitStarted})
	e.wg.Go(func() {
		defer cancel()
		ans, err := e.verify(ctx, req)
		vault.wipe() // nothing biometric outlives the answer
		giveBack()
		e.answered(s, gen, ans, err)
	})
	return nil
}

// verify calls the port and turns any failure into UNKNOWN, never a denial.
func (e *Engine) verify(ctx context.Context, req *VerifyRequest) (Answer, error) {
	ans, err := e.p.Verifier.Verify(ctx, req)
	if err != nil && ans.Status != StatusUnknown {
		reason := "error"
		if ctx.Err() != nil {
			reason = "timeout"
		}
		ans = Answer{Status: StatusUnknown, Reason: reason}
	}
	if ans.Status == "" {
		ans.Status = StatusUnknown
	}
	return ans, err
}

func (e *Engine) answered(s *sess, gen uint64, ans Answer, err error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.cur != s || s.gen != gen {
		return // aborted while INE worked; the vault is wiped already
	}
	e.stopWorkerLocked(s)
	v := view(ans, e.o.MinSimilarity)
	v.Taken, s.taken = s.taken, nil
	v.Correctable = v.Outcome == OutcomeDenied && s.sent < len(s.reqs) &&
		(v.Status == StatusNotFound || v.Status == StatusDataMismatch)
	s.answer = v
	s.cred, s.face, s.finger = nil, nil, nil
	e.enterLocked(s, StateAnswer, e.o.Timeouts.Answer)
	e.emitLocked(Event{Kind: KindAnswer, Answer: v})
	if err != nil {
		e.log.Warn("verification without a trustworthy answer", logging.Session(s.id),
			logging.Request(s.reqs[s.sent-1]), "reason", v.Reason, "err", err)
	}
	e.log.Info("answer shown", logging.Session(s.id), logging.Request(s.reqs[s.sent-1]))
}

// Correct leaves an answer of not found or data mismatch (one whose
// Correctable is set) for the credential step, under the same consent:
// the clerk corrects the data and the citizen captures again (the
// earlier biometrics were wiped with that answer); the next Submit uses
// the consent's next request id.
func (e *Engine) Correct(id logging.SessionID) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	s, err := e.stepLocked(id, StateAnswer)
	if err != nil {
		return err
	}
	if s.answer == nil || !s.answer.Correctable {
		return ErrNotCorrectable
	}
	s.answer = nil
	s.vault = newVault(func() { e.wiped(s) }) // the last one was wiped with the answer
	s.fingerLeft = e.o.MaxFingerAttempts
	if !s.spoofed {
		s.faceLeft = e.o.MaxFaceAttempts
	}
	e.enterLocked(s, StateCredential, e.o.Timeouts.Credential)
	e.emitLocked(Event{Kind: KindCorrecting})
	e.log.Info("correcting the credential data", logging.Session(s.id), "submission", s.sent+1)
	return nil
}

// Snapshot is the whole visible state, for a screen that (re)connects.
type Snapshot struct {
	Seq      uint64            `json:"seq"`
	State    State             `json:"state"`
	Session  logging.SessionID `json:"session,omitempty"`
	Deadline time.Time         `json:"deadline,omitzero"`
	Busy     bool              `json:"busy,omitempty"`
	Consent  string            `json:"consent,omitempty"`
	// Receipt: the consent receipt number the citizen may note
	// (vocab.ConsentProof.Receipt: ledger index and hash prefix).
	Receipt            string `json:"receipt,omitempty"`
	CredentialSet      bool   `json:"credential_set,omitempty"`
	FaceCaptured       bool   `json:"face_captured,omitempty"`
	FingerCaptured     int    `json:"finger_captured,omitempty"` // position, 0 when none
	FaceAttemptsLeft   int    `json:"face_attempts_left"`
	FingerAttemptsLeft int    `json:"finger_attempts_left"`
	// ResendsLeft: how many more submissions the consent covers.
	ResendsLeft int        `json:"resends_left"`
	Modalities  []Modality `json:"modalities"`
	// Unavailable: a wired capture disabled by a health condition, with
	// the condition's code (for the clerk).
	Unavailable map[Modality]string `json:"unavailable,omitempty"`
	// NotReady: the conditions that refuse a new session now.
	NotReady []string    `json:"not_ready,omitempty"`
	Answer   *AnswerView `json:"answer,omitempty"`
}

// Snapshot returns the current state. Its Seq is the last event's: events
// with a higher Seq happened after it.
func (e *Engine) Snapshot() Snapshot {
	e.mu.Lock()
	defer e.mu.Unlock()
	r := e.readiness()
	snap := Snapshot{Seq: e.bus.lastSeq(), State: StateIdle, Modalities: e.Modalities(), NotReady: r.NotReady}
	if off := e.unavailable(r); len(off) > 0 {
		snap.Unavailable = off
	}
	s := e.cur
	if s == nil {
		return snap
	}
	snap.State, snap.Session, snap.Deadline, snap.Busy = s.state, s.id, s.deadline, s.busy
	snap.CredentialSet, snap.FaceCaptured, snap.FaceAttemptsLeft = s.cred != nil, s.face != nil, s.faceLeft
	snap.FingerAttemptsLeft, snap.ResendsLeft = s.fingerLeft, len(s.reqs)-s.sent
	if s.consent != nil {
		snap.Consent, snap.Receipt = s.consent.ID, s.consent.Proof.Receipt()
	}
	if s.finger != nil {
		snap.FingerCaptured = s.finger.Position
	}
	snap.Answer = s.answer
	return snap
}
