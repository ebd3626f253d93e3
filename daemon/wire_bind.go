package daemon

import (
	"context"
	"errors"
	"fmt"

	"github.com/ventanilla-mx/ventanilla/consent"
	"github.com/ventanilla-mx/ventanilla/consent/ledger"
	"github.com/ventanilla-mx/ventanilla/health"
	"github.com/ventanilla-mx/ventanilla/session"
)

// Identity bindings (docs/consent.md, "Identity binding"): the consent of
// a verification is bound, before the request leaves, to the credential
// entered; the consent of a session that ends without one is bound as
// cancelled. The credential goes from the session's locked buffers into a
// locked sealing buffer and nowhere else.

const condLookupKey health.Code = "consent.lookup_key"

// bindingOpts completes the ledger options with the lookup key and the
// locked sealing buffers. A missing key leaves bindings without lookup
// commitments and raises consent.lookup_key.
func bindingOpts(s *System, o *ledger.Opts) error {
	t := s.Health.Declare(health.Condition{Code: condLookupKey, Severity: health.Warning,
		Message: "consent.lookup_key is not set or unreadable: consents are bound, but the archive cannot find them by credential for INE"})
	if a := s.secmem; a != nil {
		o.SealAlloc = func(n int) ([]byte, func(), error) {
			b, err := a.Alloc(n)
			if err != nil {
				return nil, nil, err
			}
			return b.Bytes(), b.Release, nil
		}
	}
	path := s.Config.Consent.LookupKey
	if path == "" {
		t.Set("consent.lookup_key is empty")
		return nil
	}
	k, err := consent.ReadLookupKey(path)
	if err != nil {
		t.Set(err.Error())
		return nil
	}
	o.LookupKey = k
	return nil
}

// holderOf lends the session's credential buffers as a consent.Holder
// (no copy): the field names are the protocol's tokens.
func holderOf(c *session.Credential) *consent.Holder {
	h := &consent.Holder{}
	if c == nil {
		return h
	}
	for _, f := range c.Fields {
		if f.Value != nil {
			h.Credentials = append(h.Credentials, consent.HolderCredential{Kind: f.Name, Value: f.Value.Bytes()})
		}
	}
	return h
}

// bind binds the consent receipt's record; a record bound before (a retried
// verification) keeps its first binding.
func bind(ctx context.Context, l *ledger.Ledger, rc session.ConsentReceipt, out consent.Outcome, cred *session.Credential) error {
	id, err := consent.ParseID(rc.ID)
	if err != nil {
		return fmt.Errorf("bind: consent receipt: %w", err)
	}
	err = l.Bind(ctx, id, out, holderOf(cred))
	if errors.Is(err, ledger.ErrAlreadyBound) {
		return nil
	}
	return err
}

// ledgerBinder is the ledger as the session's ConsentBinder.
type ledgerBinder struct{ l *ledger.Ledger }

var _ session.ConsentBinder = ledgerBinder{}

func (b ledgerBinder) BindCancelled(ctx context.Context, c session.ConsentReceipt, cred *session.Credential) error {
	return bind(ctx, b.l, c, consent.OutcomeCancelled, cred)
}
