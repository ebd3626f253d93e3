package session

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"time"
)

// Timeouts bound every step. When a step's time runs out the session is
// aborted and wiped, except the capture steps, which return to the
// biometrics step (the citizen may try again), and Answer, which ends the
// session normally.
type Timeouts struct {
	Notice     time.Duration // reading and accepting the privacy notice
	Signature  time.Duration // signing
	Consent    time.Duration // the ledger's append + fsync
	Credential time.Duration // typing or scanning the credential data
	Biometrics time.Duration // choosing what to capture next, or submitting
	Face       time.Duration // one face capture with its liveness challenge
	Finger     time.Duration // one finger capture
	Submit     time.Duration // the verifier's whole budget (all its retries)
	Answer     time.Duration // how long the answer stays on screen
	ClientLoss time.Duration // no kiosk screen connected this long: abort
	Session    time.Duration // a whole session, whatever its steps
}

// Notice is one privacy notice text the kiosk can show.
type Notice struct {
	ID      string
	Version string
	Lang    string // "es-MX" (the legal text) or "en"
	Title   string
	Text    string // exactly what is shown; its SHA-256 goes into the consent
}

// Ref returns the notice's reference with its digest.
func (n Notice) Ref() NoticeRef {
	return NoticeRef{ID: n.ID, Version: n.Version, Lang: n.Lang, SHA256: sha256.Sum256([]byte(n.Text))}
}

// Opts configures an Engine.
type Opts struct {
	Timeouts Timeouts
	// Notices are the privacy notice texts, at least one. The citizen
	// accepts one of them by version, language and digest.
	Notices []Notice
	// Purposes recorded in the consent (tokens).
	Purposes []string
	// MinSimilarity (0-100): a valid credential whose compared biometric
	// scores below it is shown as not matching.
	MinSimilarity int
	// MaxFaceAttempts bounds face captures per submission (liveness
	// retries, failures and cancellations all count).
	MaxFaceAttempts int
	// MaxFingerAttempts bounds finger captures per submission likewise.
	MaxFingerAttempts int
	// MaxResends (0-3) is how many times a session may correct the
	// credential data and send again after INE answered not found or data
	// mismatch, under the same consent: the consent names 1+MaxResends
	// request ids, each used once (docs/protocol.md, rule 6).
	MaxResends int
	// Now is the clock for timestamps (time.Now when nil). Timers use the
	// time package; tests run the engine inside a testing/synctest bubble.
	Now func() time.Time
	// Log receives PII-free session events (slog.Default when nil).
	Log *slog.Logger
	// Readiness reports what the kiosk's health allows (nil: always
	// ready). Claim refuses while NotReady is non-empty; a capture whose
	// Face or Finger reason is set is not offered; HealthChanged ends a
	// running session on a Critical condition.
	Readiness func() Readiness
}

// DefaultOpts returns the production defaults, without notices (the daemon
// passes web's embedded texts).
func DefaultOpts() *Opts {
	return &Opts{
		Timeouts: Timeouts{
			Notice: 5 * time.Minute, Signature: 3 * time.Minute, Consent: 15 * time.Second,
			Credential: 5 * time.Minute, Biometrics: 3 * time.Minute, Face: 90 * time.Second,
			Finger: 60 * time.Second, Submit: 30 * time.Second, Answer: 30 * time.Second,
			ClientLoss: 20 * time.Second, Session: 20 * time.Minute,
		},
		Purposes:          []string{"verificacion-identidad-ine"},
		MinSimilarity:     70,
		MaxFaceAttempts:   3,
		MaxFingerAttempts: 3,
		MaxResends:        1,
	}
}

// MaxResendsLimit bounds Opts.MaxResends: INE accepts a consent record
// naming at most 1+MaxResendsLimit request ids (docs/protocol.md).
const MaxResendsLimit = 3

var (
	codePattern  = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,47}$`)
	tokenPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$`)
)

func (o *Opts) check() error {
	t := o.Timeouts
	for _, d := range []time.Duration{t.Notice, t.Signature, t.Consent, t.Credential, t.Biometrics,
		t.Face, t.Finger, t.Submit, t.Answer, t.ClientLoss, t.Session} {
		if d <= 0 {
			return errors.New("session: every timeout must be positive")
		}
	}
	if len(o.Notices) == 0 {
		return errors.New("session: no privacy notice configured")
	}
	for _, n := range o.Notices {
		if !tokenPattern.MatchString(n.ID) || !tokenPattern.MatchString(n.Version) || n.Text == "" {
			return fmt.Errorf("session: notice %q/%q: id and version must be tokens and the text non-empty", n.ID, n.Version)
		}
	}
	if o.MinSimilarity < 0 || o.MinSimilarity > 100 || o.MaxFaceAttempts < 1 || o.MaxFingerAttempts < 1 {
		return errors.New("session: MinSimilarity must be 0-100 and MaxFaceAttempts and MaxFingerAttempts at least 1")
	}
	if o.MaxResends < 0 || o.MaxResends > MaxResendsLimit {
		return fmt.Errorf("session: MaxResends must be 0 to %d", MaxResendsLimit)
	}
	return nil
}

// Ports are the parts the engine drives. Face or Finger may be nil (that
// modality is not offered) but not both; Preview is optional.
type Ports struct {
	Consent     ConsentRecorder
	Credentials CredentialValidator
	Face        FaceCapturer
	Finger      FingerCapturer
	Preview     Previewer
	Verifier    Verifier
	Alloc       Allocator
	Binder      ConsentBinder // optional: binds consents of cancelled sessions
}

func (p *Ports) check() error {
	switch {
	case p.Consent == nil, p.Credentials == nil, p.Verifier == nil, p.Alloc == nil:
		return errors.New("session: Consent, Credentials, Verifier and Alloc ports are required")
	case p.Face == nil && p.Finger == nil:
		return errors.New("session: at least one of the Face and Finger ports is required")
	}
	return nil
}
