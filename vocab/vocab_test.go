package vocab

import "testing"

func TestStatusValid(t *testing.T) {
	for _, s := range Statuses() {
		if !s.Valid() {
			t.Errorf("%q not valid", s)
		}
	}
	for _, s := range []Status{StatusUnknown, "", "VALID", "valid "} {
		if s.Valid() {
			t.Errorf("%q valid", s)
		}
	}
	if len(Statuses()) != 7 {
		t.Errorf("%d statuses, want INE's 7", len(Statuses()))
	}
}
