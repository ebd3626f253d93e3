package operator

import (
	"slices"
	"strings"
	"time"
)

// Lockout is one client's login record as a technician sees it: the
// client (a uid such as "uid:1000", or a peer address; "*" when a damaged
// store locked every client), its wrong PINs since the last success and,
// when locked, until when. Never a PIN, an operator id or a token.
type Lockout struct {
	Client   string
	Failures int
	Until    time.Time // zero when not locked
}

// Lockouts lists the clients with wrong PINs or a lockout still running,
// sorted by client.
func (a *Auth) Lockouts() []Lockout {
	a.mu.Lock()
	defer a.mu.Unlock()
	now := a.o.Now()
	var out []Lockout
	for name, c := range a.clients {
		l := Lockout{Client: name, Failures: c.Failures}
		if now.Before(c.Until) {
			l.Until = c.Until
		}
		if l.Failures > 0 || !l.Until.IsZero() {
			out = append(out, l)
		}
	}
	slices.SortFunc(out, func(x, y Lockout) int { return strings.Compare(x.Client, y.Client) })
	return out
}

// Lift ends every lockout and forgets every wrong PIN (a technician's
// decision, through ventanillactl), writes the store, and reports how many
// clients were locked. OnLockout(false) is called when any was.
func (a *Auth) Lift() (int, error) {
	a.mu.Lock()
	now := a.o.Now()
	n := 0
	for _, c := range a.clients {
		if now.Before(c.Until) {
			n++
		}
		c.Failures, c.Until = 0, time.Time{}
	}
	delete(a.clients, anyClient)
	a.storeErr = saveStore(a.o.Store, a.clients, now)
	err := a.storeErr
	a.mu.Unlock()
	if n > 0 && a.o.OnLockout != nil {
		a.o.OnLockout(false)
	}
	return n, err
}
