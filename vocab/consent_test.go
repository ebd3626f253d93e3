package vocab

import "testing"

func TestReceipt(t *testing.T) {
	p := ConsentProof{Index: 1234, RecordHash: [32]byte{0x7f, 0x0a, 0xff}}
	if got := p.Receipt(); got != "001234-7F0A" {
		t.Fatalf("receipt %q", got)
	}
}

func TestTypedAcceptanceValid(t *testing.T) {
	for _, c := range []struct {
		t  TypedAcceptance
		ok bool
	}{{TypedAcceptance{"es-MX", "ACEPTO"}, true}, {TypedAcceptance{"en", "I ACCEPT"}, true},
		{TypedAcceptance{"es-MX", "acepto"}, false}, {TypedAcceptance{"en", "ACEPTO"}, false}, {TypedAcceptance{"", ""}, false}} {
		if c.t.Valid() != c.ok {
			t.Errorf("%+v valid = %v", c.t, !c.ok)
		}
	}
}
