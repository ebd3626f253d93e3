package archive_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/ventanilla-mx/ventanilla/archive"
	"github.com/ventanilla-mx/ventanilla/archive/archivetest"
	"github.com/ventanilla-mx/ventanilla/archive/evidence"
	"github.com/ventanilla-mx/ventanilla/archive/sender"
	"github.com/ventanilla-mx/ventanilla/consent"
	"github.com/ventanilla-mx/ventanilla/consent/consenttest"
	"github.com/ventanilla-mx/ventanilla/consent/ledger"
	"github.com/ventanilla-mx/ventanilla/internal/pgtest"
)

// TestKioskLedgerToEvidence is the vertical slice: a real kiosk ledger
// (SQLite), its sender, the archive on PostgreSQL, an INE export, and the
// offline verification of the bundle.
func TestKioskLedgerToEvidence(t *testing.T) {
	ctx := context.Background()
	fx := consenttest.New(t)
	o := ledger.DefaultOpts()
	o.KioskID, o.Signer, o.Archive = consenttest.KioskID, fx.Device, fx.Archive.PublicKey()
	o.Now = func() time.Time { return consenttest.Epoch }
	o.LookupKey = archivetest.LookupKey
	l, err := ledger.Open(filepath.Join(t.TempDir(), "consent.db"), o)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	for i := range 7 {
		if _, err := l.Append(ctx, consenttest.Statement(i), consenttest.Personal(i)); err != nil {
			t.Fatal(err)
		}
	}
	db := archivetest.NewDB(t, pgtest.Options{})
	a := db.Open(t)
	if err := a.Enroll(ctx, consenttest.KioskID, fx.Device.Public()); err != nil {
		t.Fatal(err)
	}
	s, err := sender.New(sender.Options{KioskID: consenttest.KioskID, Source: l, Pusher: &flaky{a: a, delivered: map[int64]int{}},
		Cursor: filepath.Join(t.TempDir(), "cursor"), Batch: 3})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Once(ctx); err != nil {
		t.Fatal(err)
	}
	if st := s.Status(); st.Acked != 7 || st.Backlog != 0 {
		t.Fatalf("status: %+v", st)
	}
	_, rep := export(t, a, evidence.Selection{Request: "req-000005"})
	if !rep.OK() || rep.Records != 1 {
		t.Fatalf("evidence: %d records, %v", rep.Records, rep.Problems)
	}
	bindAndSync(t, l, s, a)
}

// bindAndSync: sessions end after the leaves were pushed; their bindings
// (two verified for cred, one cancelled, one for a leaf the archive does
// not hold yet) reach the archive, and the credential export finds
// exactly the two verified consents.
func bindAndSync(t *testing.T, l *ledger.Ledger, s *sender.Sender, a *archive.Archive) {
	ctx := context.Background()
	h := &consent.Holder{Credentials: []consent.HolderCredential{{Kind: cred.Kind, Value: []byte(cred.Value)}}}
	for i, out := range map[int]consent.Outcome{1: consent.OutcomeVerified, 3: consent.OutcomeCancelled, 6: consent.OutcomeVerified} {
		var hh *consent.Holder
		if out == consent.OutcomeVerified {
			hh = h
		}
		if err := l.Bind(ctx, consenttest.Statement(i).ID, out, hh); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := l.Append(ctx, consenttest.Statement(7), consenttest.Personal(7)); err != nil {
		t.Fatal(err)
	}
	if err := l.Bind(ctx, consenttest.Statement(7).ID, consent.OutcomeVerified, h); err != nil {
		t.Fatal(err)
	}
	// The sender sees the binding of leaf 7 only after leaf 7: one round
	// pushes the leaf, then every binding.
	if err := s.Once(ctx); err != nil {
		t.Fatal(err)
	}
	if st := s.Status(); st.BindingsAcked != 4 || st.BindingBacklog != 0 || st.Acked != 8 {
		t.Fatalf("status after the bindings: %+v", st)
	}
	lk := consent.LookupCommitment(archivetest.LookupKey, cred)
	since, until := consenttest.Epoch.Add(-time.Hour), consenttest.Epoch.Add(time.Hour)
	_, rep := export(t, a, evidence.Selection{Lookup: lk[:], Since: &since, Until: &until})
	if !rep.OK() || rep.Records != 3 {
		t.Fatalf("credential export: %d records (want the 3 verified), %v", rep.Records, rep.Problems)
	}
	if err := s.Once(ctx); err != nil || s.Status().BindingsAcked != 4 {
		t.Fatalf("an idle round changed the binding cursor: %+v, %v", s.Status(), err)
	}
}
