package session_test

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ventanilla-mx/ventanilla/logging"
	"github.com/ventanilla-mx/ventanilla/session"
	"github.com/ventanilla-mx/ventanilla/session/sessiontest"
)

// fixture is an engine wired to fakes, with every event recorded.
type fixture struct {
	t       *testing.T
	e       *session.Engine
	alloc   *sessiontest.Allocator
	consent *sessiontest.Consent
	face    *sessiontest.Face
	finger  *sessiontest.Finger
	ver     *sessiontest.Verifier
	opts    *session.Opts

	mu     sync.Mutex
	events []session.Event
	done   chan struct{}
	detach func() // the fixture's own kiosk screen
}

var testNotice = session.Notice{ID: "aviso-integral", Version: "2026-01", Lang: "es-MX",
	Title: "Aviso de privacidad", Text: "Texto del aviso de privacidad."}

func testOpts() *session.Opts {
	o := session.DefaultOpts()
	o.Notices = []session.Notice{testNotice}
	o.Log = slog.New(slog.DiscardHandler)
	return o
}

// newFixture must run inside a synctest bubble.
func newFixture(t *testing.T, mod func(*session.Opts, *session.Ports)) *fixture {
	t.Helper()
	f := &fixture{t: t, alloc: &sessiontest.Allocator{}, consent: &sessiontest.Consent{},
		ver: &sessiontest.Verifier{}, opts: testOpts(), done: make(chan struct{})}
	f.face = &sessiontest.Face{Alloc: f.alloc}
	f.finger = &sessiontest.Finger{Alloc: f.alloc}
	p := session.Ports{Consent: f.consent, Credentials: sessiontest.Credentials{}, Face: f.face,
		Finger: f.finger, Preview: sessiontest.Preview{}, Verifier: f.ver, Alloc: f.alloc}
	if mod != nil {
		mod(f.opts, &p)
	}
	e, err := session.New(p, f.opts)
	if err != nil {
		t.Fatal(err)
	}
	f.e = e
	f.detach = e.Attach()
	ch, _ := e.Subscribe()
	go func() {
		defer close(f.done)
		for ev := range ch {
			f.mu.Lock()
			f.events = append(f.events, ev)
			f.mu.Unlock()
		}
	}()
	t.Cleanup(func() { e.Close(); <-f.done })
	return f
}

func (f *fixture) kinds() []session.Kind {
	synctest.Wait()
	f.mu.Lock()
	defer f.mu.Unlock()
	var k []session.Kind
	for _, ev := range f.events {
		k = append(k, ev.Kind)
	}
	return k
}

// last returns the last event of kind k.
func (f *fixture) last(k session.Kind) (session.Event, bool) {
	synctest.Wait()
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := len(f.events) - 1; i >= 0; i-- {
		if f.events[i].Kind == k {
			return f.events[i], true
		}
	}
	return session.Event{}, false
}

func (f *fixture) state() session.State {
	synctest.Wait()
	return f.e.Snapshot().State
}

func (f *fixture) must(err error) {
	f.t.Helper()
	if err != nil {
		f.t.Fatal(err)
	}
}

func (f *fixture) wantState(st session.State) {
	f.t.Helper()
	if got := f.state(); got != st {
		f.t.Fatalf("state = %s, want %s (events %v)", got, st, f.kinds())
	}
}

func signature() *session.Signature {
	return &session.Signature{Width: 400, Height: 200, Strokes: []session.Stroke{
		{{X: 10, Y: 10, T: 0, Pressure: 32768}, {X: 50, Y: 40, T: 16, Pressure: 32768}},
		{{X: 80, Y: 20, T: 200, Pressure: 30000}, {X: 120, Y: 90, T: 230, Pressure: 30000}},
	}}
}

func credentialE() map[string][]byte {
	return map[string][]byte{"cic": []byte("123456789"), "identificadorCiudadano": []byte("987654321")}
}

// toStep drives a new session up to st and returns its id.
func (f *fixture) toStep(st session.State) logging.SessionID {
	f.t.Helper()
	id, err := f.e.Claim("op-001")
	f.must(err)
	steps := []struct {
		at session.State
		do func() error
	}{
		{session.StateNotice, func() error { return f.e.AcceptNotice(id, testNotice.Ref()) }},
		{session.StateSignature, func() error {
			_, err := f.e.SignConsent(context.Background(), id, signature())
			return err
		}},
		{session.StateCredential, func() error { return f.e.SetCredential(id, "E", credentialE()) }},
		{session.StateBiometrics, func() error { return f.e.StartFinger(id, 2) }},
		{session.StateFinger, func() error { return nil }},
	}
	for _, s := range steps {
		if f.state() == st {
			return id
		}
		f.must(s.do())
	}
	f.wantState(st)
	return id
}

func isErr(t *testing.T, got, want error) {
	t.Helper()
	if !errors.Is(got, want) {
		t.Fatalf("err = %v, want %v", got, want)
	}
}

func contains(ks []session.Kind, k ...session.Kind) bool {
	for _, x := range k {
		if !slices.Contains(ks, x) {
			return false
		}
	}
	return true
}

func after(d time.Duration) { time.Sleep(d + time.Millisecond) } // fake time inside the bubble

// wantWiped: every buffer the engine took is released and zeroed.
func (f *fixture) wantWiped() {
	f.t.Helper()
	if err := f.alloc.CheckWiped(); err != nil {
		f.t.Fatalf("buffers alive: %v", err)
	}
}

// wantEnded: the last session ended for reason why.
func (f *fixture) wantEnded(why session.EndReason) {
	f.t.Helper()
	if ev, _ := f.last(session.KindEnded); ev.Reason != why {
		f.t.Fatalf("end reason %q, want %q", ev.Reason, why)
	}
}
