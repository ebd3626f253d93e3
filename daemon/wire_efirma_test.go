package daemon

import (
	"context"
	"crypto/x509"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/ventanilla-mx/ventanilla/consent"
	"github.com/ventanilla-mx/ventanilla/consent/consenttest"
	"github.com/ventanilla-mx/ventanilla/consent/efirma/efirmatest"
	"github.com/ventanilla-mx/ventanilla/consent/ledger"
	"github.com/ventanilla-mx/ventanilla/logging"
	"github.com/ventanilla-mx/ventanilla/secmem"
	"github.com/ventanilla-mx/ventanilla/session"
	"github.com/ventanilla-mx/ventanilla/web"
)

const efirmaPassword = "Contraseña FIEL 2026"

// efirmaLedger is a real ledger trusting roots for e.firma (nil: none).
func efirmaLedger(t *testing.T, fx *consenttest.Fixture, roots *x509.CertPool) ledgerConsent {
	t.Helper()
	o := ledger.DefaultOpts()
	o.KioskID, o.Signer, o.Archive, o.Roots = consenttest.KioskID, fx.Device, fx.Archive.PublicKey(), roots
	l, err := ledger.Open(filepath.Join(t.TempDir(), "consent.db"), o)
	if err != nil {
		t.Fatal(err)
	}
	mem := secmem.NewAllocator(secmem.DefaultOpts())
	t.Cleanup(func() {
		l.Close()
		if err := mem.AuditReleased(); err != nil {
			t.Errorf("e.firma key left in locked memory: %v", err)
		}
		mem.Close()
	})
	return ledgerConsent{l: l, mem: mem}
}

func efirmaConsent(a ledgerConsent, cert, key []byte, pw string) (session.ConsentReceipt, error) {
	return a.RecordConsent(context.Background(), &session.Consent{
		Session: logging.NewSessionID(), Requests: []logging.RequestID{logging.NewRequestID()}, Operator: "op-001",
		Notice: web.Notices()[0].Ref(), Purposes: []string{"verificacion-identidad-ine"},
		EFirma: &session.EFirmaFiles{Cert: cert, Key: key, Password: []byte(pw)}})
}

// TestLedgerRecordsEFirmaConsent (issue 13, item 7): the citizen's .cer,
// encrypted .key and password become an e.firma record in the real
// ledger: evidence bit 1 only, and the sealed e.firma verifies against the
// SAT-like CA at the statement's time.
func TestLedgerRecordsEFirmaConsent(t *testing.T) {
	fx := consenttest.New(t).WithCA(t)
	a := efirmaLedger(t, fx, fx.CA.Pool)
	cit := fx.CA.DefaultCitizen(t)
	key := efirmatest.Encrypt(t, cit.Key, efirmaPassword, efirmatest.DES3)
	rc, err := efirmaConsent(a, cit.Cert, key, efirmaPassword)
	if err != nil {
		t.Fatal(err)
	}
	id, _ := consent.ParseID(rc.ID)
	p, err := a.l.Proof(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	r, err := consent.VerifyRecord(p.Record, fx.Device.Public())
	if err != nil || r.Evidence != consent.EvidenceEFirma {
		t.Fatalf("record evidence %v (%v), want e.firma only", r, err)
	}
	opened, err := consent.Open(fx.Archive, r)
	if err != nil || opened.EFirma == nil || opened.Handwritten != nil {
		t.Fatalf("opened %+v (%v)", opened, err)
	}
	sb, _ := r.Statement.Bytes()
	if _, err := opened.EFirma.Verify(sb, r.Statement.Time, fx.CA.Pool); err != nil {
		t.Fatalf("sealed e.firma does not verify: %v", err)
	}
}

// TestLedgerRefusesEFirma: each refusal is an *EFirmaError with its reason
// and records nothing.
func TestLedgerRefusesEFirma(t *testing.T) {
	fx := consenttest.New(t).WithCA(t)
	cit := fx.CA.DefaultCitizen(t)
	key := efirmatest.Encrypt(t, cit.Key, efirmaPassword, efirmatest.AES256)
	expired := fx.CA.Issue(t, consenttest.IssueOpts{Name: "PERSONA SINTETICA", RFC: "XAXX010101000", CURP: "XEXX010101HNEXXXA4",
		NotBefore: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC), KeyN: 1})
	other := efirmatest.Encrypt(t, consenttest.RSAKey(t, 2), efirmaPassword, efirmatest.DES3)
	trusting, untrusting := efirmaLedger(t, fx, fx.CA.Pool), efirmaLedger(t, fx, nil)
	for _, tc := range []struct {
		name       string
		a          ledgerConsent
		cert, key  []byte
		pw, reason string
	}{
		{"wrong password", trusting, cit.Cert, key, "otra", session.EFirmaWrongPassword},
		{"not the certificate's key", trusting, cit.Cert, other, efirmaPassword, session.EFirmaNotCertKey},
		{"expired", trusting, expired.Cert, key, efirmaPassword, session.EFirmaExpired},
		{"no SAT CA configured", untrusting, cit.Cert, key, efirmaPassword, session.EFirmaUntrusted},
		{"files swapped", trusting, key, cit.Cert, efirmaPassword, session.EFirmaUnreadable},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := efirmaConsent(tc.a, tc.cert, tc.key, tc.pw)
			var ef *session.EFirmaError
			if !errors.As(err, &ef) || ef.Reason != tc.reason || !errors.Is(err, session.ErrBadEFirma) {
				t.Fatalf("err = %v, want reason %s", err, tc.reason)
			}
			if size, _, _ := tc.a.l.Checkpoint(context.Background()); size != 0 {
				t.Fatalf("a refused e.firma was recorded (tree size %d)", size)
			}
		})
	}
}
