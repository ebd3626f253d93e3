package operator

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"regexp"
	"sync"
	"time"
)

// Opts configure an Auth.
type Opts struct {
	MaxFailures int           // consecutive failed logins before a lockout
	Lockout     time.Duration // how long a lockout lasts
	MinInterval time.Duration // least time between two login attempts
	Idle        time.Duration // an operator idle this long is logged out
	Now         func() time.Time
	// OnLockout, when set, is called (without locks held) when a lockout
	// starts (true) and when a login succeeds after one (false).
	OnLockout func(locked bool)
}

// DefaultOpts: 5 failures lock logins for 5 minutes; one attempt per
// second; logout after 15 idle minutes.
func DefaultOpts() *Opts {
	return &Opts{MaxFailures: 5, Lockout: 5 * time.Minute, MinInterval: time.Second, Idle: 15 * time.Minute}
}

// Errors of Login. None of them says whether the operator id exists.
var (
	// ErrBadLogin: wrong id or PIN. Retry is safe (it counts a failure).
	ErrBadLogin = errors.New("operator: wrong operator id or PIN")
	// ErrLocked: too many failures; wait until LockedError.Until.
	ErrLocked = errors.New("operator: logins are locked after repeated failures")
	// ErrTooFast: an attempt came before Opts.MinInterval passed.
	ErrTooFast = errors.New("operator: wait a moment before trying again")
)

// LockedError carries when logins open again. It wraps ErrLocked or ErrTooFast.
type LockedError struct {
	Err   error
	Until time.Time
}

func (e *LockedError) Error() string { return e.Err.Error() }
func (e *LockedError) Unwrap() error { return e.Err }

var idPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$`)

// Auth checks operator PINs against argon2id hashes and keeps the one
// operator login of this kiosk. Safe for concurrent use.
type Auth struct {
	o      Opts
	hashes map[string]*hash
	dummy  *hash // verified for unknown ids, so timing does not tell
	hashMu sync.Mutex

	mu       sync.Mutex
	failures int
	locked   time.Time // logins refused until then
	lastTry  time.Time
	token    []byte
	operator string
	seen     time.Time
}

// New parses the hashes (operator id -> PHC string). An empty map is
// allowed (nobody can log in) so a kiosk can start before it is enrolled.
func New(hashes map[string]string, o *Opts) (*Auth, error) {
	if o == nil {
		o = DefaultOpts()
	}
	a := &Auth{o: *o, hashes: make(map[string]*hash, len(hashes))}
	if a.o.Now == nil {
		a.o.Now = time.Now
	}
	if a.o.MaxFailures < 1 || a.o.Lockout <= 0 || a.o.Idle <= 0 || a.o.MinInterval < 0 {
		return nil, errors.New("operator: MaxFailures, Lockout and Idle must be positive")
	}
	for id, s := range hashes {
		if !idPattern.MatchString(id) {
			return nil, fmt.Errorf("operator: id %q: 1-32 letters, digits, '.', '_', '-'", id)
		}
		h, err := parseHash(s)
		if err != nil {
			return nil, fmt.Errorf("operator %s: %w", id, err)
		}
		a.hashes[id] = h
		a.dummy = h
	}
	if a.dummy == nil {
		a.dummy = &hash{p: Params{Memory: 8, Time: 1, Threads: 1}, salt: make([]byte, 16), key: make([]byte, 32)}
	}
	return a, nil
}

// Login checks id and pin (the caller wipes pin). On success it returns a
// fresh bearer token and replaces any earlier login (one operator per
// kiosk screen).
func (a *Auth) Login(id string, pin []byte) (string, error) {
	if err := a.admit(); err != nil {
		return "", err
	}
	h, known := a.hashes[id]
	if !known {
		h = a.dummy
	}
	a.hashMu.Lock() // one argon2id at a time: memory stays bounded
	ok := h.matches(pin) && known
	a.hashMu.Unlock()
	return a.settle(id, ok)
}

// admit applies the lockout and the attempt rate.
func (a *Auth) admit() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	now := a.o.Now()
	if now.Before(a.locked) {
		return &LockedError{Err: ErrLocked, Until: a.locked}
	}
	if next := a.lastTry.Add(a.o.MinInterval); !a.lastTry.IsZero() && now.Before(next) {
		return &LockedError{Err: ErrTooFast, Until: next}
	}
	a.lastTry = now
	return nil
}

func (a *Auth) settle(id string, ok bool) (string, error) {
	a.mu.Lock()
	if !ok {
		a.failures++
		lock := a.failures >= a.o.MaxFailures
		if lock {
			a.failures, a.locked = 0, a.o.Now().Add(a.o.Lockout)
		}
		a.mu.Unlock()
		if lock && a.o.OnLockout != nil {
			a.o.OnLockout(true)
		}
		return "", ErrBadLogin
	}
	wasLocked := !a.locked.IsZero()
	a.failures, a.locked = 0, time.Time{}
	tok := make([]byte, 32)
	_, _ = rand.Read(tok)
	a.token, a.operator, a.seen = tok, id, a.o.Now()
	a.mu.Unlock()
	if wasLocked && a.o.OnLockout != nil {
		a.o.OnLockout(false)
	}
	return base64.RawURLEncoding.EncodeToString(tok), nil
}

// Check returns the operator logged in with token and marks them active.
func (a *Auth) Check(token string) (string, bool) {
	t, err := base64.RawURLEncoding.DecodeString(token)
	a.mu.Lock()
	defer a.mu.Unlock()
	if err != nil || a.token == nil || subtle.ConstantTimeCompare(t, a.token) != 1 {
		return "", false
	}
	now := a.o.Now()
	if now.Sub(a.seen) > a.o.Idle {
		a.token, a.operator = nil, ""
		return "", false
	}
	a.seen = now
	return a.operator, true
}

// Current returns who is logged in, without touching the idle clock.
func (a *Auth) Current() (string, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.token == nil || a.o.Now().Sub(a.seen) > a.o.Idle {
		return "", false
	}
	return a.operator, true
}

// Logout ends the login held by token (a wrong token does nothing).
func (a *Auth) Logout(token string) bool {
	if _, ok := a.Check(token); !ok {
		return false
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.token, a.operator = nil, ""
	return true
}

// Enrolled reports how many operators can log in.
func (a *Auth) Enrolled() int { return len(a.hashes) }
