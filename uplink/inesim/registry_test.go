package inesim_test

import (
	"testing"

	"github.com/ventanilla-mx/ventanilla/uplink/inesim"
)

// TestEnrollFace: the face goes to every demo citizen without one, once,
// and comes back with the citizen the data identify.
func TestEnrollFace(t *testing.T) {
	reg, err := inesim.DemoRegistry()
	if err != nil {
		t.Fatal(err)
	}
	face := []byte("a face reference")
	if n := reg.EnrollFace(face); n != len(inesim.DemoCitizens()) {
		t.Fatalf("enrolled %d citizens, want %d", n, len(inesim.DemoCitizens()))
	}
	if n := reg.EnrollFace([]byte("another")); n != 0 {
		t.Errorf("a second face replaced %d references", n)
	}
	for _, d := range inesim.DemoCitizens() {
		if _, c := reg.Decide(d.Credential); c == nil || string(c.Face) != string(face) {
			t.Errorf("citizen %c: no face reference", d.Credential.Model)
		}
	}
}
