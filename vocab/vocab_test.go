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

func TestVerdictValid(t *testing.T) {
	for _, v := range []Verdict{Live, Spoof, Uncertain} {
		if !v.Valid() {
			t.Errorf("%q not valid", v)
		}
	}
	for _, v := range []Verdict{"", "LIVE", "inconclusive", "Live"} {
		if v.Valid() {
			t.Errorf("%q valid", v)
		}
	}
}
