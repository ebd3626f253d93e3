package session_test

import (
	"context"
	"sync"
	"testing"
	"testing/synctest"

	"github.com/ventanilla-mx/ventanilla/logging"
	"github.com/ventanilla-mx/ventanilla/session"
)

// binder records BindCancelled calls and what the credential held during
// the call (the values are lent: read now or never).
type binder struct {
	mu    sync.Mutex
	calls []bound
}

type bound struct {
	consent string
	cic     string
}

func (b *binder) BindCancelled(_ context.Context, c session.ConsentReceipt, cred *session.Credential) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	got := bound{consent: c.ID}
	if cred != nil {
		for _, f := range cred.Fields {
			if f.Name == "cic" {
				got.cic = string(f.Value.Bytes())
			}
		}
	}
	b.calls = append(b.calls, got)
	return nil
}

func (b *binder) seen() []bound {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]bound(nil), b.calls...)
}

// TestCancelAfterConsentIsBound: a session ended after its consent and
// before any verification (also by the daemon's shutdown) binds the
// consent as cancelled, with the credential entered so far still readable
// during the call; a session ended before its consent, or after its
// verification was sent, does not.
func TestCancelAfterConsentIsBound(t *testing.T) {
	for name, c := range map[string]struct {
		to    session.State
		end   func(f *fixture, id logging.SessionID)
		calls int
		cic   string
	}{
		"cancelled at the credential": {to: session.StateCredential, calls: 1},
		"cancelled with a credential": {to: session.StateBiometrics, calls: 1, cic: "123456789"},
		"timed out at the credential": {to: session.StateCredential, calls: 1,
			end: func(f *fixture, _ logging.SessionID) { after(f.opts.Timeouts.Credential) }},
		"ended before the consent": {to: session.StateSignature},
		"ended by the daemon's shutdown": {to: session.StateBiometrics, calls: 1, cic: "123456789",
			end: func(f *fixture, _ logging.SessionID) { f.e.Close() }},
		"ended after the answer": {to: session.StateBiometrics, end: func(f *fixture, id logging.SessionID) {
			f.must(f.e.StartFinger(id, 2))
			f.wantState(session.StateBiometrics)
			f.must(f.e.Submit(id))
			f.wantState(session.StateAnswer)
			f.must(f.e.Finish(id))
		}},
	} {
		t.Run(name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				b := &binder{}
				f := newFixture(t, func(_ *session.Opts, p *session.Ports) { p.Binder = b })
				id := f.toStep(c.to)
				consentID := f.e.Snapshot().Consent
				if c.end != nil {
					c.end(f, id)
				} else {
					f.must(f.e.Abort(id, session.EndCitizen))
				}
				f.wantState(session.StateIdle)
				got := b.seen()
				if len(got) != c.calls {
					t.Fatalf("BindCancelled called %d times, want %d", len(got), c.calls)
				}
				if c.calls == 1 && (got[0].consent != consentID || got[0].cic != c.cic) {
					t.Fatalf("bound %+v, want consent %s and cic %q", got[0], consentID, c.cic)
				}
				f.wantWiped()
			})
		})
	}
}
