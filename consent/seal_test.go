package consent_test

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/ventanilla-mx/ventanilla/consent"
	"github.com/ventanilla-mx/ventanilla/consent/consenttest"
)

func TestSealOpenRoundTrip(t *testing.T) {
	f := consenttest.New(t)
	r, b := f.Record(t, 3)
	if bytes.Contains(b, []byte("Sintética")) || bytes.Contains(b, []byte("100000003")) {
		t.Fatal("a personal field appears in the clear in the record bytes")
	}
	p, err := consent.Open(f.Archive, r)
	if err != nil {
		t.Fatal(err)
	}
	if want := consenttest.Personal(3); !reflect.DeepEqual(p, want) {
		t.Fatalf("opened personal fields differ:\n got %+v\nwant %+v", p, want)
	}
}

func TestOpenRefusesWrongKeyAndMovedBox(t *testing.T) {
	f := consenttest.New(t)
	r1, _ := f.Record(t, 1)
	r2, _ := f.Record(t, 2)
	other, _ := consent.GenerateArchiveKey()
	if _, err := consent.Open(other, r1); !errors.Is(err, consent.ErrOpen) {
		t.Fatalf("wrong key: err = %v, want ErrOpen", err)
	}
	moved := *r2
	moved.Sealed = r1.Sealed
	if _, err := consent.Open(f.Archive, &moved); !errors.Is(err, consent.ErrOpen) {
		t.Fatalf("box moved to another statement: err = %v, want ErrOpen", err)
	}
	cut := *r1
	cut.Sealed.Data = cut.Sealed.Data[:1]
	if _, err := consent.Open(f.Archive, &cut); !errors.Is(err, consent.ErrOpen) {
		t.Fatalf("truncated box: err = %v, want ErrOpen", err)
	}
	r1.Evidence = consent.EvidenceEFirma
	if _, err := consent.Open(f.Archive, r1); err == nil || !strings.Contains(err.Error(), "evidence kinds") {
		t.Fatalf("evidence mismatch: err = %v", err)
	}
}

func TestArchiveKeyPEMRoundTrip(t *testing.T) {
	k, err := consent.GenerateArchiveKey()
	if err != nil {
		t.Fatal(err)
	}
	privPEM, err := consent.MarshalArchivePrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	k2, err := consent.ParseArchivePrivateKey(privPEM)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := consent.ParseArchivePublicKey(consent.MarshalArchivePublicKey(k.PublicKey()))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(pub.Bytes(), k2.PublicKey().Bytes()) {
		t.Fatal("public key from the private PEM differs from the public PEM")
	}
	if _, err := consent.ParseArchivePublicKey(privPEM); err == nil {
		t.Fatal("a private key PEM parsed as a public key")
	}
}

func TestNewRecordRefusesNoEvidence(t *testing.T) {
	f := consenttest.New(t)
	p := consenttest.Personal(1)
	p.Handwritten = nil
	_, _, err := consent.NewRecord(consenttest.Statement(1), p, f.RecordOpts())
	if err == nil || !strings.Contains(err.Error(), "no signature evidence") {
		t.Fatalf("err = %v", err)
	}
}

func TestErrorsCarryNoPersonalData(t *testing.T) {
	f := consenttest.New(t)
	p := consenttest.Personal(1)
	p.Credentials = append(p.Credentials, consent.Credential{Kind: "bad kind", Value: "SECRETO123"})
	_, _, err := consent.NewRecord(consenttest.Statement(1), p, f.RecordOpts())
	if err == nil {
		t.Fatal("bad credential kind accepted")
	}
	for _, s := range []string{p.Name, "SECRETO123", "100000001"} {
		if strings.Contains(err.Error(), s) {
			t.Fatalf("error %q carries a personal field", err)
		}
	}
}

func TestPersonalRoundTrip(t *testing.T) {
	ca := consenttest.NewSATCA(t, 0)
	p := consenttest.Personal(5)
	p.EFirma = ca.DefaultCitizen(t).Sign(t, []byte("x"))
	p.EFirma.Chain = [][]byte{ca.Cert.Raw}
	b, err := p.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	back, err := consent.ParsePersonal(b)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, p) {
		t.Fatal("personal fields changed in a round trip")
	}
	for n := range len(b) {
		if _, err := consent.ParsePersonal(b[:n]); err == nil {
			t.Fatalf("prefix of %d bytes accepted", n)
		}
	}
}
