package operator

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// cheap keeps tests fast; production hashes use DefaultParams.
var cheap = Params{Memory: 64, Time: 1, Threads: 1}

type clock struct{ t time.Time }

func (c *clock) now() time.Time      { return c.t }
func (c *clock) add(d time.Duration) { c.t = c.t.Add(d) }
func newClock() *clock               { return &clock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)} }
func mustHash(t *testing.T, pin string) string {
	t.Helper()
	h, err := HashPIN(pin, cheap)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func newAuth(t *testing.T, c *clock, onLock func(bool)) *Auth {
	t.Helper()
	o := DefaultOpts()
	o.Now, o.OnLockout = c.now, onLock
	a, err := New(map[string]string{"op-001": mustHash(t, "246810"), "op-002": mustHash(t, "135790")}, o)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestLoginCheckLogout(t *testing.T) {
	c := newClock()
	a := newAuth(t, c, nil)
	tok, err := a.Login("op-001", []byte("246810"))
	if err != nil {
		t.Fatal(err)
	}
	if op, ok := a.Check(tok); !ok || op != "op-001" {
		t.Fatalf("check = %q %v", op, ok)
	}
	c.add(time.Second)
	tok2, err := a.Login("op-002", []byte("135790"))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := a.Check(tok); ok {
		t.Fatal("the first login survived a second operator's login")
	}
	if !a.Logout(tok2) {
		t.Fatal("logout refused")
	}
	if _, ok := a.Check(tok2); ok {
		t.Fatal("token valid after logout")
	}
}

func TestIdleExpiry(t *testing.T) {
	c := newClock()
	a := newAuth(t, c, nil)
	tok, _ := a.Login("op-001", []byte("246810"))
	c.add(14 * time.Minute)
	if _, ok := a.Check(tok); !ok {
		t.Fatal("expired while active")
	}
	c.add(15*time.Minute + time.Second)
	if _, ok := a.Check(tok); ok {
		t.Fatal("still logged in after the idle time")
	}
}

func TestLockoutAndRate(t *testing.T) {
	c := newClock()
	var events []bool
	a := newAuth(t, c, func(l bool) { events = append(events, l) })
	for i := range 5 {
		_, err := a.Login("op-001", []byte("000000"))
		if !errors.Is(err, ErrBadLogin) {
			t.Fatalf("attempt %d: %v", i, err)
		}
		_, err = a.Login("op-001", []byte("246810"))
		if !errors.Is(err, ErrTooFast) && i < 4 {
			t.Fatalf("attempt %d right after: %v, want ErrTooFast", i, err)
		}
		c.add(time.Second)
	}
	_, err := a.Login("op-001", []byte("246810"))
	var le *LockedError
	if !errors.Is(err, ErrLocked) || !errors.As(err, &le) || !le.Until.Equal(c.t.Add(4*time.Minute+59*time.Second)) {
		t.Fatalf("after 5 failures: %v", err)
	}
	c.add(5 * time.Minute)
	if _, err := a.Login("op-001", []byte("246810")); err != nil {
		t.Fatalf("after the lockout: %v", err)
	}
	if len(events) != 2 || !events[0] || events[1] {
		t.Fatalf("lockout callbacks %v", events)
	}
}

func TestUnknownOperatorLooksLikeWrongPIN(t *testing.T) {
	c := newClock()
	a := newAuth(t, c, nil)
	_, err := a.Login("nobody", []byte("246810"))
	if !errors.Is(err, ErrBadLogin) {
		t.Fatalf("err = %v", err)
	}
	if strings.Contains(err.Error(), "nobody") {
		t.Fatal("error names the operator id")
	}
}

func TestHashPINRefusesWeakPINs(t *testing.T) {
	for _, pin := range []string{"", "1234", "12345a", "1234567890123"} {
		if _, err := HashPIN(pin, cheap); !errors.Is(err, ErrPINShape) {
			t.Errorf("HashPIN(%q) = %v", pin, err)
		}
	}
}

var hashCases = []struct {
	in string
	ok bool
}{
	{"$argon2id$v=19$m=65536,t=3,p=2$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g", true},
	{"$argon2i$v=19$m=65536,t=3,p=2$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g", false},
	{"$argon2id$v=16$m=65536,t=3,p=2$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g", false},
	{"$argon2id$v=19$m=99999999,t=3,p=2$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g", false},
	{"$argon2id$v=19$m=65536,t=0,p=2$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g", false},
	{"$argon2id$v=19$m=65536,t=3,p=2$c2Fs$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g", false},
	{"$argon2id$v=19$m=065536,t=3,p=2$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g", false},
	{"$argon2id$v=19$t=3,m=65536,p=2$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g", false},
	{"plain-pin", false},
}

func TestParseHash(t *testing.T) {
	for _, tt := range hashCases {
		h, err := parseHash(tt.in)
		if (err == nil) != tt.ok {
			t.Errorf("parseHash(%q) err = %v, want ok=%v", tt.in, err, tt.ok)
			continue
		}
		if tt.ok && h.String() != tt.in {
			t.Errorf("round trip %q -> %q", tt.in, h.String())
		}
	}
	if _, err := New(map[string]string{"op 1": hashCases[0].in}, nil); err == nil {
		t.Error("accepted an operator id with a space")
	}
}

func FuzzParseHash(f *testing.F) {
	for _, tt := range hashCases {
		f.Add(tt.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		h, err := parseHash(s)
		if err != nil {
			return
		}
		if h.p.Memory > maxMemory || h.p.Time > maxTime || h.p.Threads > maxThreads || len(h.key) < minKey {
			t.Fatalf("accepted out-of-range parameters: %+v", h.p)
		}
		if h2, err := parseHash(h.String()); err != nil || h2.String() != h.String() {
			t.Fatalf("round trip of %q failed: %v", s, err)
		}
	})
}
