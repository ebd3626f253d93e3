package consent_test

import (
	"bytes"
	"testing"

	"github.com/ventanilla-mx/ventanilla/consent"
	"github.com/ventanilla-mx/ventanilla/consent/consenttest"
)

// FuzzParseRecord checks the canonical decoder: it never panics, and what it
// accepts re-encodes to the same bytes.
func FuzzParseRecord(f *testing.F) {
	fx := consenttest.New(f)
	for i := range 3 {
		_, b := fx.Record(f, i)
		f.Add(b)
	}
	st, _ := consenttest.Statement(9).Bytes()
	f.Add(st)
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := consent.ParseRecord(b)
		if err != nil {
			return
		}
		again, err := r.Bytes()
		if err != nil || !bytes.Equal(again, b) {
			t.Fatalf("accepted bytes are not canonical: %v", err)
		}
	})
}

// FuzzParsePersonal covers the decoder of the sealed plaintext and strokes.
func FuzzParsePersonal(f *testing.F) {
	for i := range 3 {
		b, err := consenttest.Personal(i).MarshalBinary()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := consent.ParsePersonal(b)
		if err != nil {
			return
		}
		again, err := p.MarshalBinary()
		if err != nil || !bytes.Equal(again, b) {
			t.Fatalf("accepted bytes are not canonical: %v", err)
		}
	})
}

// FuzzParseCheckpointText: accepted texts are canonical.
func FuzzParseCheckpointText(f *testing.F) {
	f.Add("ventanilla.mx/consent/k1\n12\n" + "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n")
	f.Add("ventanilla.mx/consent/k1\n0\nAAAA\n")
	f.Fuzz(func(t *testing.T, s string) {
		c, err := consent.ParseCheckpointText(s)
		if err == nil && c.Text() != s {
			t.Fatalf("accepted non-canonical %q", s)
		}
	})
}
