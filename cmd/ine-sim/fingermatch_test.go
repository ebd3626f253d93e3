//go:build cvmatch

package main

import (
	"bytes"
	"image"
	"image/png"
	"testing"

	"github.com/ventanilla-mx/ventanilla/capture/finger"
	"github.com/ventanilla-mx/ventanilla/capture/finger/fingergen"
	"github.com/ventanilla-mx/ventanilla/capture/finger/iso19794"
	"github.com/ventanilla-mx/ventanilla/capture/finger/wsq"
	"github.com/ventanilla-mx/ventanilla/internal/testenv"
	"github.com/ventanilla-mx/ventanilla/uplink"
	"github.com/ventanilla-mx/ventanilla/uplink/inesim"
	"github.com/ventanilla-mx/ventanilla/uplink/inesim/cvmatch"
)

// kioskRecord is what the kiosk sends for impression n of finger seed: the
// emulator's R30x image (4-bit samples), encoded as an ISO/IEC 19794-4
// record holding WSQ by the capture package.
func kioskRecord(t *testing.T, seed uint64, n int) []byte {
	t.Helper()
	pix := fingergen.Render(fingergen.New(seed).Impression(n).Image, inesim.RefWidth, inesim.RefHeight, 500)
	for i, v := range pix { // the R30x's 16 grey levels, expanded as v*17
		pix[i] = (v >> 4) * 17
	}
	img := &image.Gray{Pix: pix, Stride: inesim.RefWidth, Rect: image.Rect(0, 0, inesim.RefWidth, inesim.RefHeight)}
	e, err := finger.NewEncoder(nil)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := e.Record(img, finger.R30x, iso19794.RightIndex, 60, finger.HeapAlloc)
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

// TestDemoFingersMatchTheirReferences: the demo registry's references and
// the emulator's impressions of the same synthetic finger score higher
// with the real matcher than impressions of other fingers.
func TestDemoFingersMatchTheirReferences(t *testing.T) {
	mo := cvmatch.DefaultOpts()
	mo.DecodeWSQ = wsq.DecodePixels
	m, err := cvmatch.New(mo)
	if err != nil {
		testenv.RequireFile(t, "OpenCV matcher (opencv-data)", err)
	}
	defer m.Close()
	for seed := uint64(1); seed <= 2; seed++ {
		ref := encodePNG(t, inesim.ReferenceFinger(seed))
		for n := 0; n < 1; n++ {
			genuine, err := m.FingerSimilarity(kioskRecord(t, seed, n), uplink.FormatISO197944, ref)
			if err != nil {
				t.Fatal(err)
			}
			impostor, err := m.FingerSimilarity(kioskRecord(t, seed%2+1, n), uplink.FormatISO197944, ref)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("finger %d impression %d: genuine %d, impostor %d", seed, n, genuine, impostor)
			if genuine <= impostor {
				t.Errorf("finger %d impression %d: genuine %d <= impostor %d", seed, n, genuine, impostor)
			}
		}
	}
}

// TestDemoCitizenVerifiesEveryTime is issue 13, finding 9: the README's
// demo citizen (synthetic finger 1, which the emulator presents as
// impressions 0, 1, 2, ... one per capture) was rejected in 3 of 9 runs,
// 53-64 % against the kiosk's 70. The cause was the matcher: it searched
// relative rotations of ±12° although each of two impressions is placed
// within ±12° (so they differ by up to ±24°: impression 28 scored 17), and
// its score scale put a third of genuine pairs below 70. Every one of the
// first 20 impressions must now reach 70 and no other demo finger may.
func TestDemoCitizenVerifiesEveryTime(t *testing.T) {
	mo := cvmatch.DefaultOpts()
	mo.DecodeWSQ = wsq.DecodePixels
	m, err := cvmatch.New(mo)
	if err != nil {
		testenv.RequireFile(t, "OpenCV matcher (opencv-data)", err)
	}
	defer m.Close()
	const minSimilarity = 70 // session.min_similarity in configs/dev.toml
	ref := encodePNG(t, inesim.ReferenceFinger(1))
	for n := 0; n < 20; n++ {
		s, err := m.FingerSimilarity(kioskRecord(t, 1, n), uplink.FormatISO197944, ref)
		if err != nil {
			t.Fatal(err)
		}
		if s < minSimilarity {
			t.Errorf("run %d: the demo citizen's finger scored %d < %d", n+1, s, minSimilarity)
		}
	}
	for seed := uint64(2); seed <= uint64(len(inesim.DemoCitizens())); seed++ {
		s, err := m.FingerSimilarity(kioskRecord(t, seed, int(seed)), uplink.FormatISO197944, ref)
		if err != nil {
			t.Fatal(err)
		}
		if s >= minSimilarity {
			t.Errorf("demo finger %d matched the first citizen's reference: %d", seed, s)
		}
	}
}

func encodePNG(t *testing.T, pix []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, &image.Gray{Pix: pix, Stride: inesim.RefWidth, Rect: image.Rect(0, 0, inesim.RefWidth, inesim.RefHeight)}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
