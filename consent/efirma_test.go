package consent_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/ventanilla-mx/ventanilla/consent"
	"github.com/ventanilla-mx/ventanilla/consent/consenttest"
)

func TestEFirmaAcceptedAndSubjectRead(t *testing.T) {
	f := consenttest.New(t).WithCA(t)
	st := consenttest.Statement(1)
	sb, _ := st.Bytes()
	p := consenttest.Personal(1)
	p.EFirma = f.CA.DefaultCitizen(t).Sign(t, sb)
	r, _, err := consent.NewRecord(st, p, f.RecordOpts())
	if err != nil {
		t.Fatal(err)
	}
	if r.Evidence != consent.EvidenceHandwritten|consent.EvidenceEFirma {
		t.Fatalf("evidence = %v", r.Evidence)
	}
	opened, err := consent.Open(f.Archive, r)
	if err != nil {
		t.Fatal(err)
	}
	subj, err := opened.EFirma.Verify(sb, st.Time, f.CA.Pool)
	if err != nil {
		t.Fatal(err)
	}
	if subj.RFC != "XAXX010101000" || subj.CURP != "XEXX010101HNEXXXA4" || subj.Name != "PERSONA SINTETICA DE PRUEBA" {
		t.Fatalf("subject = %+v", subj)
	}
}

func TestEFirmaRejections(t *testing.T) {
	ca := consenttest.NewSATCA(t, 0)
	otherCA := consenttest.NewSATCA(t, 2)
	st := consenttest.Statement(1)
	sb, _ := st.Bytes()
	good := ca.DefaultCitizen(t)
	expired := ca.Issue(t, consenttest.IssueOpts{Name: "X", RFC: "XAXX010101000", CURP: "XEXX010101HNEXXXA4",
		NotBefore: time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC), KeyN: 1})
	noUsage := ca.Issue(t, consenttest.IssueOpts{Name: "X", NotBefore: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC),
		NotAfter: time.Date(2028, 1, 1, 0, 0, 0, 0, time.UTC), KeyUsage: x509.KeyUsageKeyEncipherment, KeyN: 1})
	foreign := otherCA.DefaultCitizen(t)
	other := consenttest.Statement(2)
	ob, _ := other.Bytes()
	cases := []struct {
		name  string
		firma *consent.EFirma
		roots *x509.CertPool
		want  error
	}{
		{"signature over another statement", good.Sign(t, ob), ca.Pool, consent.ErrEFirmaSignature},
		{"expired at consent time", expired.Sign(t, sb), ca.Pool, consent.ErrEFirmaExpired},
		{"issued by an unconfigured CA", foreign.Sign(t, sb), ca.Pool, consent.ErrEFirmaUntrusted},
		{"no CA configured", good.Sign(t, sb), nil, consent.ErrEFirmaUntrusted},
		{"key usage without signing", noUsage.Sign(t, sb), ca.Pool, consent.ErrEFirmaUsage},
		{"garbage certificate", &consent.EFirma{Certificate: []byte{1, 2, 3}}, ca.Pool, consent.ErrEFirmaCertificate},
		{"ECDSA certificate", &consent.EFirma{Certificate: ecdsaCert(t, ca)}, ca.Pool, consent.ErrEFirmaCertificate},
	}
	for _, c := range cases {
		_, err := c.firma.Verify(sb, st.Time, c.roots)
		if !errors.Is(err, c.want) {
			t.Errorf("%s: err = %v, want %v", c.name, err, c.want)
		}
		if err != nil && strings.Contains(err.Error(), "XAXX") {
			t.Errorf("%s: error names the RFC", c.name)
		}
	}
}

func ecdsaCert(t *testing.T, ca *consenttest.SATCA) []byte {
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(9), NotBefore: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC),
		NotAfter: time.Date(2028, 1, 1, 0, 0, 0, 0, time.UTC), KeyUsage: x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.Cert, &k.PublicKey, ca.Key)
	if err != nil {
		t.Fatal(err)
	}
	return der
}
