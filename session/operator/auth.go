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
	// Store, when set, is the file that keeps each client's failures and
	// lockout across restarts (no PIN, id or token is ever written).
	Store string
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

// Remaining is how long until logins open again, as seen at now.
func (e *LockedError) Remaining(now time.Time) time.Duration { return max(0, e.Until.Sub(now)) }

// idPattern is compiled on first use, not at start-up of every program
// that links this package.
var idPattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$`) })

// Auth checks operator PINs against argon2id hashes and keeps the one
// operator login of this kiosk. Safe for concurrent use.
type Auth struct {
	o      Opts
	hashes map[string]*hash
	dummy  *hash // verified for unknown ids, so timing does not tell
	hashMu sync.Mutex

	mu       sync.Mutex
	clients  map[string]*clientState // by client (see LoginFrom)
	damaged  bool                    // the store could not be read
	storeErr error                   // the last store write's error
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
		if !idPattern().MatchString(id) {
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
	a.loadClients()
	return a, nil
}

// loadClients reads the store; a damaged one locks every client for one
// lockout period (fail closed) instead of forgetting lockouts.
func (a *Auth) loadClients() {
	var err error
	a.clients, err = loadStore(a.o.Store)
	if err != nil {
		a.damaged = true
		a.clients[anyClient] = &clientState{Until: a.o.Now().Add(a.o.Lockout)}
		a.storeErr = saveStore(a.o.Store, a.clients, a.o.Now())
	}
}

// StoreDamaged reports whether the lockout store was unreadable at start.
func (a *Auth) StoreDamaged() bool { return a.damaged }

// StoreErr is the last error writing the lockout store (nil when fine).
func (a *Auth) StoreErr() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.storeErr
}

// Login is LoginFrom with one kiosk-wide client.
func (a *Auth) Login(id string, pin []byte) (string, error) { return a.LoginFrom("", id, pin) }

// LoginFrom checks id and pin (the caller wipes pin) for client, the
// caller's name for who is asking (the kiosk API uses the peer's uid).
// Failures, lockout and attempt rate are counted per client, so one
// client cannot lock another out. On success it returns a fresh bearer
// token and replaces any earlier login (one operator per kiosk screen).
func (a *Auth) LoginFrom(client, id string, pin []byte) (string, error) {
	if err := a.admit(client); err != nil {
		return "", err
	}
	h, known := a.hashes[id]
	if !known {
		h = a.dummy
	}
	a.hashMu.Lock() // one argon2id at a time: memory stays bounded
	ok := h.matches(pin) && known
	a.hashMu.Unlock()
	return a.settle(client, id, ok)
}

// client returns client's record, creating it (the caller holds mu).
func (a *Auth) client(client string) *clientState {
	c := a.clients[client]
	if c == nil {
		if len(a.clients) >= maxClients {
			return &clientState{Until: a.o.Now().Add(a.o.Lockout)} // table full: refuse newcomers
		}
		c = &clientState{}
		a.clients[client] = c
	}
	return c
}

// admit applies the lockout and the attempt rate of client.
func (a *Auth) admit(client string) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	now := a.o.Now()
	if all := a.clients[anyClient]; all != nil && now.Before(all.Until) {
		return &LockedError{Err: ErrLocked, Until: all.Until}
	}
	c := a.client(client)
	if now.Before(c.Until) {
		return &LockedError{Err: ErrLocked, Until: c.Until}
	}
	if next := c.lastTry.Add(a.o.MinInterval); !c.lastTry.IsZero() && now.Before(next) {
		return &LockedError{Err: ErrTooFast, Until: next}
	}
	c.lastTry = now
	return nil
}

func (a *Auth) settle(client, id string, ok bool) (string, error) {
	a.mu.Lock()
	c := a.client(client)
	now := a.o.Now()
	if !ok {
		c.Failures++
		lock := c.Failures >= a.o.MaxFailures
		if lock {
			c.Failures, c.Until = 0, now.Add(a.o.Lockout)
		}
		a.storeErr = saveStore(a.o.Store, a.clients, now)
		a.mu.Unlock()
		if lock && a.o.OnLockout != nil {
			a.o.OnLockout(true)
		}
		return "", ErrBadLogin
	}
	wasLocked := !c.Until.IsZero()
	c.Failures, c.Until = 0, time.Time{}
	if wasLocked || a.damaged {
		delete(a.clients, anyClient)
	}
	a.storeErr = saveStore(a.o.Store, a.clients, now)
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

// Peek returns the operator logged in with token without marking them
// active (streams and previews must not keep an idle login alive).
func (a *Auth) Peek(token string) (string, bool) {
	t, err := base64.RawURLEncoding.DecodeString(token)
	a.mu.Lock()
	defer a.mu.Unlock()
	if err != nil || a.token == nil || subtle.ConstantTimeCompare(t, a.token) != 1 || a.o.Now().Sub(a.seen) > a.o.Idle {
		return "", false
	}
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
