//go:build cvmatch

package cvmatch

import (
	"errors"
	"github.com/ventanilla-mx/ventanilla/capture/finger/iso19794"
	"os"
	"path/filepath"
	"testing"

	"github.com/ventanilla-mx/ventanilla/internal/testenv"
	"github.com/ventanilla-mx/ventanilla/uplink"
)

func newMatcher(t testing.TB) *Matcher {
	_, err := os.Stat(DefaultCascade)
	testenv.RequireFile(t, "opencv-data cascade", err)
	m, err := New(&Opts{Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Close)
	return m
}

func TestFingerSynthetic(t *testing.T) {
	m := newMatcher(t)
	const w, h = 300, 360
	base := ridges(w, h, 150, 170, 9, 1)
	same, _ := iso19794.Raw(shift(ridges(w, h, 150, 170, 9, 2), w, h, 7, -5), w, h, iso19794.RightIndex)
	other, _ := iso19794.Raw(ridges(w, h, 110, 230, 11.5, 3), w, h, iso19794.RightIndex)
	ref := encodePNG(t, grayImage(base, w, h))
	before := matCount()
	sSame, err := m.FingerSimilarity(same, uplink.FormatISO197944, ref)
	if err != nil {
		t.Fatal(err)
	}
	sOther, err := m.FingerSimilarity(other, uplink.FormatISO197944, ref)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("synthetic finger: same %d, other %d", sSame, sOther)
	if sSame < 80 || sOther > 40 || sSame <= sOther {
		t.Fatalf("same %d, other %d: want same >= 80, other <= 40", sSame, sOther)
	}
	if n := matCount(); n != before {
		t.Fatalf("%d Mats leaked", n-before)
	}
}

func TestFaceSynthetic(t *testing.T) {
	m := newMatcher(t)
	a := texture(200, 200, 1)
	ref := encodePNG(t, a)
	before := matCount()
	sSame, err := m.FaceSimilarity(encodeJPEG(t, brighten(a, 12)), ref)
	if err != nil {
		t.Fatal(err)
	}
	sOther, err := m.FaceSimilarity(encodeJPEG(t, texture(200, 200, 2)), ref)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("synthetic face: same %d, other %d", sSame, sOther)
	if sSame < 80 || sSame <= sOther+30 {
		t.Fatalf("same %d, other %d", sSame, sOther)
	}
	if n := matCount(); n != before {
		t.Fatalf("%d Mats leaked", n-before)
	}
}

func TestUndecodable(t *testing.T) {
	m := newMatcher(t)
	ref := encodePNG(t, grayImage(ridges(64, 64, 32, 32, 8, 1), 64, 64))
	for name, probe := range map[string][]byte{"garbage": []byte("not an image"), "empty": nil} {
		if _, err := m.FaceSimilarity(probe, ref); !errors.Is(err, ErrUndecodable) {
			t.Errorf("face %s: %v", name, err)
		}
		if _, err := m.FingerSimilarity(probe, uplink.FormatISO197944, ref); !errors.Is(err, ErrUndecodable) {
			t.Errorf("finger %s: %v", name, err)
		}
	}
	if _, err := m.FingerSimilarity([]byte("wsq"), uplink.FormatWSQ, ref); !errors.Is(err, ErrUndecodable) {
		t.Errorf("WSQ without decoder: %v", err)
	}
	m2, _ := New(&Opts{Workers: 1, DecodeWSQ: func(b []byte) ([]byte, int, int, error) {
		return ridges(64, 64, 32, 32, 8, 1), 64, 64, nil
	}})
	defer m2.Close()
	if s, err := m2.FingerSimilarity([]byte("wsq"), uplink.FormatWSQ, ref); err != nil || s < 90 {
		t.Errorf("WSQ through decoder hook: %d %v", s, err)
	}
}

func sharedData(t testing.TB) string {
	dir := os.Getenv("VENTANILLA_SHARED_DATA") // outside the checkout: `make eval` sets it
	if dir == "" {
		t.Skip("evaluation data: VENTANILLA_SHARED_DATA unset (`make eval` runs this test)")
	}
	if _, err := os.Stat(dir); err != nil {
		t.Fatalf("VENTANILLA_SHARED_DATA: %v", err)
	}
	return dir
}

// TestRealPrints scores real impressions: two of the same finger must
// score above a different finger. Informative figures are logged.
func TestRealPrints(t *testing.T) {
	dir := filepath.Join(sharedData(t), "fingerprints", "sourceafis")
	m := newMatcher(t)
	read := func(n string) []byte {
		b, err := os.ReadFile(filepath.Join(dir, n))
		if err != nil {
			t.Skip(err)
		}
		return b
	}
	probe, mate, non := read("probe.png"), read("matching.png"), read("nonmatching.png")
	sMate, err1 := m.FingerSimilarity(probe, "", mate)
	sNon, err2 := m.FingerSimilarity(probe, "", non)
	sSelf, err3 := m.FingerSimilarity(probe, "", probe)
	if err := errors.Join(err1, err2, err3); err != nil {
		t.Fatal(err)
	}
	t.Logf("real prints: self %d, mate %d, non-mate %d", sSelf, sMate, sNon)
	if sSelf != 100 || sMate <= sNon {
		t.Fatalf("self %d mate %d non-mate %d", sSelf, sMate, sNon)
	}
}

func TestRealFaces(t *testing.T) {
	dir := filepath.Join(sharedData(t), "faces", "silent-face")
	m := newMatcher(t)
	live, err := os.ReadFile(filepath.Join(dir, "image_T1.jpg"))
	if err != nil {
		t.Skip(err)
	}
	self, err := m.FaceSimilarity(live, live)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"image_F1.jpg", "image_F2.jpg"} {
		b, _ := os.ReadFile(filepath.Join(dir, n))
		s, err := m.FaceSimilarity(b, live)
		t.Logf("face %s vs image_T1: %d (%v)", n, s, err)
	}
	t.Logf("face self: %d", self)
	if self < 99 {
		t.Fatalf("self similarity %d", self)
	}
}
