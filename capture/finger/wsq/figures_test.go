package wsq

import (
	"math"
	"testing"

	"github.com/ventanilla-mx/ventanilla/capture/finger/internal/testutil"
)

// nbisFigures are NBIS 5.0's cwsq/dwsq results at 0.75 bpp on the shared
// 500 ppi samples (size in bytes, PSNR in dB), measured on the development
// machine with NBIS built beside the project (docs/benchmarks.md).
var nbisFigures = map[string]struct {
	size int
	psnr float64
}{
	"probe.png":         {9718, 30.978},
	"matching.png":      {9548, 29.940},
	"nonmatching.png":   {10056, 28.133},
	"wsq-converted.png": {34232, 45.895},
}

// TestRoundTripFigures reports compression ratio and PSNR at 0.75 bpp on
// real 500 ppi prints and requires them to match NBIS within 1% in size and
// 0.05 dB in PSNR.
func TestRoundTripFigures(t *testing.T) {
	for name, ref := range nbisFigures {
		img := testutil.LoadGray(t, testutil.SharedData(t, "fingerprints", "sourceafis", name))
		data, err := Encode(img, nil)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Decode(data)
		if err != nil {
			t.Fatal(err)
		}
		ratio := float64(len(img.Pix)) / float64(len(data))
		psnr := testutil.PSNR(img, got)
		t.Logf("%-18s %dx%d: %6d bytes, %5.2f:1, PSNR %.3f dB (NBIS: %d bytes, %.2f:1, %.3f dB)",
			name, img.Rect.Dx(), img.Rect.Dy(), len(data), ratio, psnr,
			ref.size, float64(len(img.Pix))/float64(ref.size), ref.psnr)
		if d := math.Abs(float64(len(data)-ref.size)) / float64(ref.size); d > 0.01 {
			t.Errorf("%s: %d bytes, NBIS %d", name, len(data), ref.size)
		}
		if math.Abs(psnr-ref.psnr) > 0.05 {
			t.Errorf("%s: PSNR %.3f dB, NBIS %.3f dB", name, psnr, ref.psnr)
		}
	}
}
