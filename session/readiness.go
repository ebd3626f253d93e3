package session

import (
	"fmt"
	"strings"
)

// Readiness is what the kiosk's health allows now. Every entry is a health
// condition code (for example "disk.low"), safe to show to the clerk and
// to log; none carries personal data.
type Readiness struct {
	// NotReady lists the conditions that refuse a new session.
	NotReady []string
	// Critical lists the conditions that end a running session (wiped,
	// answered "retry", never a denial).
	Critical []string
	// Face and Finger name the condition that disables that capture ("":
	// available).
	Face, Finger string
}

// ErrNotReady is the refusal of a session on a kiosk that is not ready;
// the error returned is a *NotReadyError that wraps it with the reasons.
var ErrNotReady = &Error{"not_ready", "the kiosk is not ready; see ventanillactl health"}

// NotReadyError is ErrNotReady with the conditions that cause it.
type NotReadyError struct{ Codes []string }

func (e *NotReadyError) Error() string {
	return "session: the kiosk is not ready (" + strings.Join(e.Codes, ", ") + "); see ventanillactl health"
}

// Unwrap makes errors.Is(err, ErrNotReady) and errors.As(err, **Error) hold.
func (e *NotReadyError) Unwrap() error { return ErrNotReady }

// AnswerKioskFault is the Reason of the retry answer shown when a critical
// condition ended the session.
const AnswerKioskFault = "kiosk-fault"

func (e *Engine) readiness() Readiness {
	if e.o.Readiness == nil {
		return Readiness{}
	}
	return e.o.Readiness()
}

// unavailable maps each offered but disabled capture to its reason.
func (e *Engine) unavailable(r Readiness) map[Modality]string {
	out := map[Modality]string{}
	if e.p.Face != nil && r.Face != "" {
		out[Face] = r.Face
	}
	if e.p.Finger != nil && r.Finger != "" {
		out[Finger] = r.Finger
	}
	return out
}

// HealthChanged re-reads Opts.Readiness. A critical condition ends a
// running session before its answer: its workers are cancelled, every
// Secret is wiped, and the screen shows "retry" (never a denial). The
// daemon calls it whenever a health condition changes.
func (e *Engine) HealthChanged() {
	r := e.readiness()
	e.mu.Lock()
	defer e.mu.Unlock()
	s := e.cur
	if s == nil || len(r.Critical) == 0 || s.state == StateAnswer {
		if key := fmt.Sprint(r); key != e.lastReady {
			e.lastReady = key
			e.emitLocked(Event{Kind: KindReadiness})
		}
		return
	}
	e.log.Warn("session ended by a critical condition", "session", string(s.id), "conditions", strings.Join(r.Critical, ","))
	e.stopWorkerLocked(s)
	s.gen++
	v := &AnswerView{Outcome: OutcomeRetry, Status: StatusUnknown, Reason: AnswerKioskFault,
		FaceSimilarity: -1, FingerSimilarity: -1, Taken: s.taken}
	s.answer, s.busy, s.fault, s.taken = v, false, true, nil
	s.cred, s.face, s.finger = nil, nil, nil
	s.vault.wipe()
	e.enterLocked(s, StateAnswer, e.o.Timeouts.Answer)
	e.emitLocked(Event{Kind: KindAnswer, Answer: v})
}
