package main

import (
	"bytes"
	"image"
	"image/png"
	"testing"

	"github.com/ventanilla-mx/ventanilla/uplink/inesim"
)

func pngOf(t *testing.T, seed uint64) []byte {
	t.Helper()
	pix := inesim.SyntheticFinger(seed, 2, inesim.RefWidth, inesim.RefHeight)
	var b bytes.Buffer
	g := &image.Gray{Pix: pix, Stride: inesim.RefWidth, Rect: image.Rect(0, 0, inesim.RefWidth, inesim.RefHeight)}
	if err := png.Encode(&b, g); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestGoMatcher: the default (pure-Go) matcher scores an image against
// itself 100, another synthetic finger lower, and refuses garbage.
func TestGoMatcher(t *testing.T) {
	a, b := pngOf(t, 1), pngOf(t, 2)
	m := goMatcher{}
	self, err := m.FingerSimilarity(a, "", a)
	if err != nil || self != 100 {
		t.Fatalf("self = %d, %v", self, err)
	}
	other, err := m.FingerSimilarity(a, "", b)
	if err != nil || other >= self {
		t.Fatalf("other finger = %d, %v (self %d)", other, err, self)
	}
	if _, err := m.FaceSimilarity([]byte("not an image"), a); err == nil {
		t.Error("garbage accepted")
	}
	t.Logf("self %d, other %d", self, other)
}
