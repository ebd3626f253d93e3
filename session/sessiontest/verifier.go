package sessiontest

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/ventanilla-mx/ventanilla/session"
)

// Seen is what the Verifier observed in one request: shapes only.
type Seen struct {
	Model   string
	Fields  int
	Face    bool
	Finger  int  // finger position, 0 when none
	Intact  bool // every lent buffer was readable and non-zero during the call
	Consent string
	Request string // the request id (a token, not personal data)
}

// Verifier is a scripted Verifier. Each call takes the next of Answers;
// when they run out it asks Rule, and without a Rule it answers valid
// with 93% similarity for what was sent.
type Verifier struct {
	mu      sync.Mutex
	Answers []session.Answer
	// Hold makes calls wait for ctx and answer UNKNOWN(timeout), as an
	// unreachable INE does.
	Hold bool
	// Rule decides answers (simulated mode).
	Rule func(*session.VerifyRequest) session.Answer
	// Delay is how long INE "thinks" before answering (0 = none).
	Delay time.Duration
	// OnVerify, when set, is called first (benchmarks time the hand-off).
	OnVerify func()
	seen     []Seen
}

var _ session.Verifier = (*Verifier)(nil)

// Verify records the request's shape and answers.
func (v *Verifier) Verify(ctx context.Context, req *session.VerifyRequest) (session.Answer, error) {
	if v.OnVerify != nil {
		v.OnVerify()
	}
	v.mu.Lock()
	v.seen = append(v.seen, observe(req))
	hold, delay := v.Hold, v.Delay
	var next *session.Answer
	if len(v.Answers) > 0 {
		next, v.Answers = &v.Answers[0], v.Answers[1:]
	}
	v.mu.Unlock()
	if hold {
		<-ctx.Done()
		return session.Answer{Status: session.StatusUnknown, Reason: "timeout"},
			fmt.Errorf("sessiontest: verify: %w", ctx.Err())
	}
	if err := wait(ctx, delay); delay > 0 && err != nil {
		return session.Answer{Status: session.StatusUnknown, Reason: "timeout"},
			fmt.Errorf("sessiontest: verify: %w", err)
	}
	switch {
	case next != nil:
		return *next, nil
	case v.Rule != nil:
		return v.Rule(req), nil
	}
	return ValidFor(req), nil
}

// ValidFor is a valid answer with 93% similarity for what req carries.
func ValidFor(req *session.VerifyRequest) session.Answer {
	a := session.Answer{Status: session.StatusValid, FaceSimilarity: -1, FingerSimilarity: -1}
	if req.Face != nil {
		a.FaceSimilarity = 93
	}
	if req.Finger != nil {
		a.FingerSimilarity, a.FingerPosition = 93, req.Finger.Position
	}
	return a
}

// Seen returns what every call observed.
func (v *Verifier) Seen() []Seen {
	v.mu.Lock()
	defer v.mu.Unlock()
	return append([]Seen(nil), v.seen...)
}

func observe(req *session.VerifyRequest) Seen {
	s := Seen{Consent: req.Consent.ID, Request: string(req.Request), Intact: true}
	if c := req.Credential; c != nil {
		s.Model, s.Fields = c.Model, len(c.Fields)
		for _, f := range c.Fields {
			s.Intact = s.Intact && !allZero(f.Value.Bytes())
		}
	}
	if req.Face != nil {
		s.Face = true
		s.Intact = s.Intact && !allZero(req.Face.JPEG.Bytes())
	}
	if req.Finger != nil {
		s.Finger = req.Finger.Position
		s.Intact = s.Intact && !allZero(req.Finger.Image.Bytes())
	}
	return s
}

// DemoRule answers by the last digit of the credential's last field, so a
// person can reach every outcome by hand in simulated mode:
// 0-4 valid, 5 valid as identification only, 6 not current, 7 not found,
// 8 data mismatch, 9 reported lost or stolen. A credential ending in a
// letter is valid. (Simulated INE unavailability: see Verifier.Hold.)
func DemoRule(req *session.VerifyRequest) session.Answer {
	a := ValidFor(req)
	c := req.Credential
	if c == nil || len(c.Fields) == 0 {
		return a
	}
	last := c.Fields[len(c.Fields)-1].Value.Bytes()
	if len(last) == 0 {
		return a
	}
	switch last[len(last)-1] {
	case '5':
		a.Status = session.StatusValidIdentificationOnly
	case '6':
		a.Status = session.StatusNotCurrent
	case '7':
		a.Status = session.StatusNotFound
	case '8':
		a.Status = session.StatusDataMismatch
	case '9':
		a.Status = session.StatusLostOrStolen
	}
	return a
}
