package daemon

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/ventanilla-mx/ventanilla/consent"
	"github.com/ventanilla-mx/ventanilla/consent/consenttest"
	"github.com/ventanilla-mx/ventanilla/consent/ledger"
	"github.com/ventanilla-mx/ventanilla/logging"
	"github.com/ventanilla-mx/ventanilla/session"
	"github.com/ventanilla-mx/ventanilla/session/sessiontest"
	"github.com/ventanilla-mx/ventanilla/web"
)

// TestLedgerConsentAdapter records a session's consent in a real ledger
// file and checks the receipt is durable and carries the proof.
func TestLedgerConsentAdapter(t *testing.T) {
	fx := consenttest.New(t)
	l := openTestLedger(t, fx, nil)
	req := logging.NewRequestID()
	rc := recordConsent(t, l, req)
	got := rc.Proof
	id, err := consent.ParseID(rc.ID)
	if err != nil || got.TreeSize != 1 || got.Index != 0 || len(got.Checkpoint) == 0 {
		t.Fatalf("receipt %+v: %v", rc, err)
	}
	again, err := l.Lookup(context.Background(), id)
	if err != nil || again.RecordHash != got.RecordHash {
		t.Fatalf("lookup after append: %v", err)
	}
}

// openTestLedger opens a real ledger file of fx's kiosk, closed with the
// test; lookup may be nil (bindings without lookup commitments).
func openTestLedger(t *testing.T, fx *consenttest.Fixture, lookup []byte) *ledger.Ledger {
	t.Helper()
	o := ledger.DefaultOpts()
	o.KioskID, o.Signer, o.Archive = consenttest.KioskID, fx.Device, fx.Archive.PublicKey()
	o.LookupKey = lookup
	l, err := ledger.Open(filepath.Join(t.TempDir(), "consent.db"), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

func recordConsent(t *testing.T, l *ledger.Ledger, req logging.RequestID) session.ConsentReceipt {
	t.Helper()
	sig := &session.Signature{Width: 400, Height: 200, Strokes: []session.Stroke{
		{{X: 1, Y: 2, T: 0, Pressure: 32768}, {X: 30, Y: 40, T: 16, Pressure: 32768}}}}
	rc, err := ledgerConsent{l: l}.RecordConsent(context.Background(), &session.Consent{
		Session: logging.NewSessionID(), Requests: []logging.RequestID{req}, Operator: "op-001",
		Notice: web.Notices()[0].Ref(), Purposes: []string{"verificacion-identidad-ine"}, Signature: sig})
	if err != nil {
		t.Fatal(err)
	}
	return rc
}

// TestUplinkRequestBoundToConsent is issue 17, finding 5 on the kiosk side:
// the request INE receives carries the session's request id, and the
// consent record it carries names that id (before, the uplink made up a
// random id the consent never named).
func TestUplinkRequestBoundToConsent(t *testing.T) {
	fx := consenttest.New(t)
	lookup := bytes.Repeat([]byte{3}, consent.LookupKeySize)
	l := openTestLedger(t, fx, lookup)
	req := logging.NewRequestID()
	rc := recordConsent(t, l, req)
	recordConsent(t, l, logging.NewRequestID()) // another session's
	cred := testCredential(t, "100000001")
	ur, err := uplinkVerifier{l: l}.consent(context.Background(), &session.VerifyRequest{Request: req, Consent: rc, Credential: cred})
	if err != nil {
		t.Fatal(err)
	}
	checkBound(t, l, fx, rc, consent.OutcomeVerified, consent.LookupCommitment(lookup, consent.Credential{Kind: "cic", Value: "100000001"}))
	if ur.ID != string(req) {
		t.Fatalf("uplink request id %q, session's %q", ur.ID, req)
	}
	if _, err := ur.Consent.Verify(consenttest.KioskID, ur.ID, fx.Device.Public()); err != nil {
		t.Fatalf("INE's check of the consent: %v", err)
	}
	if _, err := ur.Consent.Verify(consenttest.KioskID, string(logging.NewRequestID()), fx.Device.Public()); err == nil {
		t.Fatal("the consent proof passed for another request id")
	}
}

func testCredential(t *testing.T, cic string) *session.Credential {
	alloc := &sessiontest.Allocator{}
	sec, err := alloc.Alloc(len(cic))
	if err != nil {
		t.Fatal(err)
	}
	copy(sec.Bytes(), cic)
	t.Cleanup(sec.Release)
	return &session.Credential{Model: "H", Fields: []session.Field{{Name: "cic", Value: sec}}}
}

// checkBound: the ledger holds a binding of rc's record with outcome out
// and, for a verification, exactly the lookup commitment want.
func checkBound(t *testing.T, l *ledger.Ledger, fx *consenttest.Fixture, rc session.ConsentReceipt, out consent.Outcome, want ...[32]byte) {
	t.Helper()
	id, _ := consent.ParseID(rc.ID)
	raw, err := l.Binding(context.Background(), id)
	if err != nil {
		t.Fatalf("consent not bound: %v", err)
	}
	b, err := consent.VerifyBinding(raw, fx.Device.Public())
	if err != nil || b.Outcome != out || len(b.Lookups) != len(want) {
		t.Fatalf("binding: outcome %d, %d lookups, %v", b.Outcome, len(b.Lookups), err)
	}
	for i := range want {
		if b.Lookups[i] != want[i] {
			t.Fatal("lookup commitment differs")
		}
	}
}

// TestCancelledSessionBound: the session's binder port binds as cancelled,
// once.
func TestCancelledSessionBound(t *testing.T) {
	fx := consenttest.New(t)
	l := openTestLedger(t, fx, nil)
	rc := recordConsent(t, l, logging.NewRequestID())
	if err := (ledgerBinder{l}).BindCancelled(context.Background(), rc, testCredential(t, "100000002")); err != nil {
		t.Fatal(err)
	}
	checkBound(t, l, fx, rc, consent.OutcomeCancelled)
	if err := (ledgerBinder{l}).BindCancelled(context.Background(), rc, nil); err != nil {
		t.Fatalf("binding again: %v", err)
	}
	checkBound(t, l, fx, rc, consent.OutcomeCancelled)
}

// TestLedgerRecordsTypedConsent (issue 13, finding 7): a consent typed on
// the keyboard reaches the real ledger as a typed acceptance: the record's
// evidence says so, and the archive opens the phrase, not a signature.
func TestLedgerRecordsTypedConsent(t *testing.T) {
	fx := consenttest.New(t)
	l := openTestLedger(t, fx, nil)
	rc, err := ledgerConsent{l: l}.RecordConsent(context.Background(), &session.Consent{
		Session: logging.NewSessionID(), Requests: []logging.RequestID{logging.NewRequestID()}, Operator: "op-001",
		Notice: web.Notices()[0].Ref(), Purposes: []string{"verificacion-identidad-ine"},
		Typed: &session.TypedAcceptance{Lang: "es-MX", Phrase: "ACEPTO"}})
	if err != nil {
		t.Fatal(err)
	}
	id, _ := consent.ParseID(rc.ID)
	p, err := l.Proof(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	r, err := consent.VerifyRecord(p.Record, fx.Device.Public())
	if err != nil || r.Evidence != consent.EvidenceTyped {
		t.Fatalf("record evidence %v (%v), want typed only", r, err)
	}
	opened, err := consent.Open(fx.Archive, r)
	if err != nil || opened.Typed == nil || opened.Typed.Phrase != "ACEPTO" || opened.Handwritten != nil {
		t.Fatalf("opened %+v (%v)", opened, err)
	}
	if got := rc.Proof.Receipt(); got != fmt.Sprintf("000000-%02X%02X", p.RecordHash[0], p.RecordHash[1]) {
		t.Fatalf("receipt %s does not name the record", got)
	}
}
