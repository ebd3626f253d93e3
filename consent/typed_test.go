package consent_test

import (
	"bytes"
	"errors"
	"reflect"
	"testing"

	"github.com/ventanilla-mx/ventanilla/consent"
	"github.com/ventanilla-mx/ventanilla/consent/consenttest"
)

// TestTypedAcceptanceRecorded (issue 13, finding 7): a consent typed on
// the keyboard is a record whose evidence says "typed" (not handwritten),
// whose sealed fields carry the phrase, and which verifies and opens like
// any other.
func TestTypedAcceptanceRecorded(t *testing.T) {
	f := consenttest.New(t)
	st := consenttest.Statement(1)
	p := &consent.Personal{Typed: &consent.TypedAcceptance{Lang: "es-MX", Phrase: "ACEPTO"}}
	r, b, err := consent.NewRecord(st, p, f.RecordOpts())
	if err != nil {
		t.Fatal(err)
	}
	if r.Evidence != consent.EvidenceTyped {
		t.Fatalf("evidence 0x%02x, want typed only", uint8(r.Evidence))
	}
	back, err := consent.VerifyRecord(b, f.Device.Public())
	if err != nil {
		t.Fatal(err)
	}
	if back.Evidence != consent.EvidenceTyped {
		t.Fatalf("parsed evidence 0x%02x", uint8(back.Evidence))
	}
	opened, err := consent.Open(f.Archive, back)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(opened.Typed, p.Typed) || opened.Handwritten != nil {
		t.Fatalf("opened %+v", opened)
	}
}

func TestTypedAcceptanceRefusesOtherText(t *testing.T) {
	f := consenttest.New(t)
	for _, ta := range []consent.TypedAcceptance{{Lang: "es-MX", Phrase: "acepto"}, {Lang: "es-MX", Phrase: "SI"},
		{Lang: "en", Phrase: "ACEPTO"}, {Lang: "fr", Phrase: "J'ACCEPTE"}, {Lang: "", Phrase: "ACEPTO"}} {
		p := &consent.Personal{Typed: &ta}
		if _, _, err := consent.NewRecord(consenttest.Statement(1), p, f.RecordOpts()); err == nil {
			t.Errorf("%+v accepted", ta)
		} else if ta.Lang != "" && ta.Lang != "fr" && !errors.Is(err, consent.ErrTypedPhrase) {
			t.Errorf("%+v: %v", ta, err)
		}
	}
}

// TestPersonalVersions: without a typed acceptance the sealed fields are
// version 1, exactly as before; with one, version 2; a version 2 without
// one is not canonical and refused.
func TestPersonalVersions(t *testing.T) {
	p := consenttest.Personal(2)
	b1, err := p.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b1, []byte("ventanilla.mx/consent-personal/v1\n")) {
		t.Fatalf("personal fields without typed acceptance are not v1: %q", b1[:34])
	}
	p.Typed = &consent.TypedAcceptance{Lang: "en", Phrase: "I ACCEPT"}
	b2, err := p.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b2, []byte("ventanilla.mx/consent-personal/v2\n")) {
		t.Fatalf("typed acceptance not in v2: %q", b2[:34])
	}
	back, err := consent.ParsePersonal(b2)
	if err != nil || !reflect.DeepEqual(back, p) {
		t.Fatalf("round trip: %v", err)
	}
	// v2 magic on v1 content plus an absent typed byte.
	fake := append([]byte("ventanilla.mx/consent-personal/v2\n"), b1[len("ventanilla.mx/consent-personal/v1\n"):]...)
	fake = append(fake, 0)
	if _, err := consent.ParsePersonal(fake); err == nil {
		t.Fatal("v2 without a typed acceptance accepted")
	}
	for n := range len(b2) {
		if _, err := consent.ParsePersonal(b2[:n]); err == nil {
			t.Fatalf("prefix of %d bytes accepted", n)
		}
	}
}
