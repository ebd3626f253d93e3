package operator

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func newAuthAt(t *testing.T, c *clock, store string) *Auth {
	t.Helper()
	o := DefaultOpts()
	o.Now, o.Store = c.now, store
	a, err := New(map[string]string{"op-001": mustHash(t, "246810")}, o)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// failFrom makes n wrong attempts from client, one per second.
func failFrom(t *testing.T, a *Auth, c *clock, client string, n int) {
	t.Helper()
	for i := range n {
		if _, err := a.LoginFrom(client, "op-001", []byte("000000")); !errors.Is(err, ErrBadLogin) {
			t.Fatalf("attempt %d from %s: %v", i, client, err)
		}
		c.add(time.Second)
	}
}

// TestLockoutIsPerClient: a local process hammering wrong PINs locks only
// itself; the clerk's browser (another client) still logs in, and the
// attempt rate of one client does not slow another.
func TestLockoutIsPerClient(t *testing.T) {
	c := newClock()
	a := newAuthAt(t, c, "")
	failFrom(t, a, c, "uid:65534", 5)
	_, err := a.LoginFrom("uid:65534", "op-001", []byte("246810"))
	var le *LockedError
	if !errors.As(err, &le) || !errors.Is(err, ErrLocked) {
		t.Fatalf("hammering client after 5 failures: %v", err)
	}
	if got := le.Remaining(c.now()); got != 5*time.Minute-time.Second {
		t.Fatalf("remaining %v", got)
	}
	if _, err := a.LoginFrom("uid:65534", "op-001", []byte("000000")); !errors.Is(err, ErrLocked) {
		t.Fatalf("locked client again: %v", err)
	}
	// The clerk's browser right after the attacker's attempt: not too fast, not locked.
	if _, err := a.LoginFrom("uid:1000", "op-001", []byte("246810")); err != nil {
		t.Fatalf("the clerk is locked out by another client: %v", err)
	}
}

// TestLockoutSurvivesRestart: the lockout and the failure count are kept
// in the store file, which holds no PIN, and a new Auth (a restarted
// daemon) honours them.
func TestLockoutSurvivesRestart(t *testing.T) {
	c := newClock()
	store := filepath.Join(t.TempDir(), "kiosk", "lockout.json")
	a := newAuthAt(t, c, store)
	failFrom(t, a, c, "uid:65534", 5)
	failFrom(t, a, c, "uid:1000", 3)
	raw, err := os.ReadFile(store)
	if err != nil {
		t.Fatalf("lockout not stored: %v", err)
	}
	if bytes.Contains(raw, []byte("000000")) || bytes.Contains(raw, []byte("246810")) {
		t.Fatalf("store holds a PIN: %s", raw)
	}
	if st, _ := os.Stat(store); st.Mode().Perm()&0o077 != 0 {
		t.Fatalf("store mode %v", st.Mode())
	}
	b := newAuthAt(t, c, store) // restart
	if _, err := b.LoginFrom("uid:65534", "op-001", []byte("246810")); !errors.Is(err, ErrLocked) {
		t.Fatalf("lockout lost on restart: %v", err)
	}
	failFrom(t, b, c, "uid:1000", 2)
	if _, err := b.LoginFrom("uid:1000", "op-001", []byte("246810")); !errors.Is(err, ErrLocked) {
		t.Fatalf("failure count lost on restart: %v", err)
	}
	c.add(5 * time.Minute)
	if _, err := newAuthAt(t, c, store).LoginFrom("uid:65534", "op-001", []byte("246810")); err != nil {
		t.Fatalf("after the lockout: %v", err)
	}
}

// TestLockoutStoreDamagedFailsClosed: a damaged store (a tampered disk)
// does not silently forget lockouts: every client is locked for one
// lockout period, then logins reopen and the store is rewritten.
func TestLockoutStoreDamagedFailsClosed(t *testing.T) {
	c := newClock()
	store := filepath.Join(t.TempDir(), "lockout.json")
	if err := os.WriteFile(store, []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	a := newAuthAt(t, c, store)
	if !a.StoreDamaged() {
		t.Fatal("damage not reported")
	}
	if _, err := a.LoginFrom("uid:1000", "op-001", []byte("246810")); !errors.Is(err, ErrLocked) {
		t.Fatalf("damaged store: %v, want locked", err)
	}
	c.add(5 * time.Minute)
	if _, err := a.LoginFrom("uid:1000", "op-001", []byte("246810")); err != nil {
		t.Fatalf("after the lockout: %v", err)
	}
	if b := newAuthAt(t, c, store); b.StoreDamaged() {
		t.Fatal("store not rewritten after the lockout")
	}
}
