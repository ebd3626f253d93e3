package consent_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/ventanilla-mx/ventanilla/consent"
	"github.com/ventanilla-mx/ventanilla/consent/consenttest"
)

var testLookupKey = bytes.Repeat([]byte{7}, consent.LookupKeySize)

func binding(t testing.TB, fx *consenttest.Fixture, i int, outcome consent.Outcome, id *consent.Identity) []byte {
	t.Helper()
	r, rb := fx.Record(t, i)
	o := &consent.BindingOpts{Archive: fx.Archive.PublicKey(), LookupKey: testLookupKey, Signer: fx.Device}
	b, err := consent.NewBinding(rb, r, outcome, id, r.Time.Add(90e9), o)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestBindingRoundTripAndOpen(t *testing.T) {
	fx := consenttest.New(t)
	cred := consent.Credential{Kind: "claveElector", Value: "GOMZJN80010109H400"}
	id := &consent.Identity{Name: "Juana Gómez", Credentials: []consent.Credential{cred, {Kind: "cic", Value: "123456789"}}}
	raw := binding(t, fx, 3, consent.OutcomeVerified, id)
	b, err := consent.VerifyBinding(raw, fx.Device.Public())
	if err != nil {
		t.Fatal(err)
	}
	again, err := b.Bytes()
	if err != nil || !bytes.Equal(again, raw) {
		t.Fatalf("re-encoding differs: %v", err)
	}
	if bytes.Contains(raw, []byte(cred.Value)) || bytes.Contains(raw, []byte("Juana")) {
		t.Fatal("a personal field is in the clear")
	}
	want := consent.LookupCommitment(testLookupKey, cred)
	found := false
	for _, l := range b.Lookups {
		found = found || l == want
	}
	if !found || len(b.Lookups) != 2 {
		t.Fatalf("lookups %d, credential commitment found %v", len(b.Lookups), found)
	}
	got, err := consent.OpenBinding(fx.Archive, b)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != id.Name || len(got.Credentials) != 2 || got.Credentials[0] != cred {
		t.Fatal("opened identity differs from the sealed one")
	}
}

func TestBindingCancelledAndTampered(t *testing.T) {
	fx := consenttest.New(t)
	raw := binding(t, fx, 4, consent.OutcomeCancelled, nil)
	b, err := consent.VerifyBinding(raw, fx.Device.Public())
	if err != nil || b.Outcome != consent.OutcomeCancelled || len(b.Lookups) != 0 {
		t.Fatalf("cancelled binding: %v", err)
	}
	for _, off := range []int{40, len(raw) - 100, len(raw) - 1} {
		bad := bytes.Clone(raw)
		bad[off] ^= 1
		if _, err := consent.VerifyBinding(bad, fx.Device.Public()); err == nil {
			t.Errorf("byte %d changed: binding still verifies", off)
		}
	}
	other := consenttest.New(t)
	if _, err := consent.VerifyBinding(raw, other.Device.Public()); !errors.Is(err, consent.ErrSignature) {
		t.Fatalf("another kiosk's key: %v", err)
	}
	if _, err := consent.OpenBinding(other.Archive, b); !errors.Is(err, consent.ErrOpen) {
		t.Fatalf("another archive key opened the binding: %v", err)
	}
}

func TestLookupCommitmentNeedsTheKey(t *testing.T) {
	c := consent.Credential{Kind: "cic", Value: "123456789"}
	other := bytes.Repeat([]byte{8}, consent.LookupKeySize)
	if consent.LookupCommitment(testLookupKey, c) == consent.LookupCommitment(other, c) {
		t.Fatal("commitment does not depend on the key")
	}
	d := consent.Credential{Kind: "ocr", Value: "123456789"}
	if consent.LookupCommitment(testLookupKey, c) == consent.LookupCommitment(testLookupKey, d) {
		t.Fatal("commitment does not depend on the kind")
	}
}

// FuzzParseBinding: the binding decoder never panics and accepts only
// canonical bytes.
func FuzzParseBinding(f *testing.F) {
	fx := consenttest.New(f)
	f.Add(binding(f, fx, 1, consent.OutcomeCancelled, nil))
	f.Add(binding(f, fx, 2, consent.OutcomeVerified, &consent.Identity{Credentials: []consent.Credential{{Kind: "cic", Value: "1"}}}))
	f.Fuzz(func(t *testing.T, raw []byte) {
		b, err := consent.ParseBinding(raw)
		if err != nil {
			return
		}
		again, err := b.Bytes()
		if err != nil || !bytes.Equal(again, raw) {
			t.Fatalf("accepted bytes are not canonical: %v", err)
		}
	})
}

// TestHolderBindingSealsFromCallerMemory: the identity plaintext is built in
// the buffer the caller allocates (locked memory on the kiosk) and wiped
// before NewHolderBinding returns; the box opens to what was entered.
func TestHolderBindingSealsFromCallerMemory(t *testing.T) {
	fx := consenttest.New(t)
	r, rb := fx.Record(t, 5)
	var buf []byte
	released := 0
	o := &consent.BindingOpts{Archive: fx.Archive.PublicKey(), LookupKey: testLookupKey, Signer: fx.Device,
		Alloc: func(n int) ([]byte, func(), error) {
			buf = make([]byte, n)
			return buf, func() { released++ }, nil
		}}
	value := []byte("100000001")
	h := &consent.Holder{Credentials: []consent.HolderCredential{{Kind: "cic", Value: value}}}
	raw, err := consent.NewHolderBinding(rb, r, consent.OutcomeVerified, h, r.Time, o)
	if err != nil {
		t.Fatal(err)
	}
	if released != 1 || len(buf) == 0 || !bytes.Equal(buf, make([]byte, len(buf))) {
		t.Fatalf("sealing buffer released %d times, wiped %v", released, bytes.Equal(buf, make([]byte, len(buf))))
	}
	b, err := consent.VerifyBinding(raw, fx.Device.Public())
	if err != nil {
		t.Fatal(err)
	}
	want := consent.LookupCommitment(testLookupKey, consent.Credential{Kind: "cic", Value: "100000001"})
	if len(b.Lookups) != 1 || b.Lookups[0] != want {
		t.Fatal("lookup commitment differs from the string form")
	}
	id, err := consent.OpenBinding(fx.Archive, b)
	if err != nil || len(id.Credentials) != 1 || id.Credentials[0].Value != "100000001" {
		t.Fatalf("opened %v, %v", id, err)
	}
}
