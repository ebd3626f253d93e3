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
// Its seeds are small valid encodings of every shape (so mutations pass the
// magic and lengths and reach the inner decoders, and new inputs minimize
// quickly); only one is a realistic fixture.
func FuzzParsePersonal(f *testing.F) {
	dot := func(n int) *consent.Strokes {
		s := &consent.Strokes{Width: 8, Height: 8}
		for i := range n {
			s.Strokes = append(s.Strokes, consent.Stroke{{X: uint16(i), Y: 1, T: uint32(i), Pressure: 32768}})
		}
		return s
	}
	efirma := &consent.EFirma{Certificate: []byte{0x30, 0}, Chain: [][]byte{{0x30, 0}}, Signature: []byte{1, 2}}
	for _, p := range []*consent.Personal{
		{Handwritten: dot(2)},
		{Name: "Ñ", Credentials: []consent.Credential{{Kind: "cic", Value: "1"}}, Handwritten: dot(3)},
		{Name: "A", EFirma: efirma},
		{Handwritten: dot(2), EFirma: efirma},
		{Typed: &consent.TypedAcceptance{Lang: "es-MX", Phrase: "ACEPTO"}},
		{Name: "B", Handwritten: dot(2), Typed: &consent.TypedAcceptance{Lang: "en", Phrase: "I ACCEPT"}},
		consenttest.Personal(0),
	} {
		b, err := p.MarshalBinary()
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
