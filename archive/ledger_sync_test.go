package archive_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/ventanilla-mx/ventanilla/archive/archivetest"
	"github.com/ventanilla-mx/ventanilla/archive/evidence"
	"github.com/ventanilla-mx/ventanilla/archive/sender"
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
}
