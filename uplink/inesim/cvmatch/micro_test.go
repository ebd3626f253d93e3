//go:build cvmatch

package cvmatch

import (
	"testing"

	"github.com/ventanilla-mx/ventanilla/capture/finger/iso19794"
)

func BenchmarkFaceSimilarity(b *testing.B) {
	m := newMatcher(b)
	ref := encodePNG(b, texture(160, 160, 1))
	probe := encodeJPEG(b, texture(160, 160, 1))
	for b.Loop() {
		if _, err := m.FaceSimilarity(probe, ref); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFingerSimilarity(b *testing.B) {
	m := newMatcher(b)
	const w, h = 200, 240
	ref := encodePNG(b, grayImage(ridges(w, h, 100, 120, 9, 1), w, h))
	probe, _ := iso19794.Raw(ridges(w, h, 100, 120, 9, 2), w, h, iso19794.RightIndex)
	for b.Loop() {
		if _, err := m.FingerSimilarity(probe, "iso19794-4", ref); err != nil {
			b.Fatal(err)
		}
	}
}
