package inesim

import (
	"math"
	"math/rand/v2"

	"github.com/ventanilla-mx/ventanilla/capture/finger/fingergen"
)

// SyntheticFinger draws a fingerprint-like ridge pattern (8-bit grey, w x h)
// for the demo registry and load mode: rings around a seed-dependent core
// with a seed-dependent ridge period and a little noise (noiseSeed varies
// the noise only, so two impressions of one finger share seed). It is not a
// realistic fingerprint generator; drivers/sim owns that.
func SyntheticFinger(seed, noiseSeed uint64, w, h int) []byte {
	shape := rand.New(rand.NewPCG(seed, 11))
	noise := rand.New(rand.NewPCG(noiseSeed, 12))
	cx := float64(w) * (0.35 + 0.3*shape.Float64())
	cy := float64(h) * (0.35 + 0.3*shape.Float64())
	period := 8 + 4*shape.Float64()
	twist := 2 + float64(shape.IntN(3))
	pix := make([]byte, w*h)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			dx, dy := float64(x)-cx, float64(y)-cy
			r := math.Hypot(dx, dy*1.3) + 6*math.Sin(math.Atan2(dy, dx)*twist)
			v := 128 + 100*math.Sin(2*math.Pi*r/period) + noise.NormFloat64()*8
			pix[y*w+x] = byte(math.Max(0, math.Min(255, v)))
		}
	}
	return pix
}

// Reference fingerprint geometry: the R30x image at 500 ppi (13 x 14.6 mm).
const RefWidth, RefHeight = 256, 288

// referenceImpression is INE's enrolment impression of each synthetic
// finger. The scanner emulator hands out impressions 0, 1, 2, ... of the
// same fingers (drivers/sim), so a kiosk capture and this reference are a
// genuine pair, and another seed's capture an impostor.
const referenceImpression = 1000

// ReferenceFinger renders INE's reference of synthetic finger seed
// (capture/finger/fingergen), 8-bit grey, RefWidth x RefHeight.
func ReferenceFinger(seed uint64) []byte {
	return fingergen.Render(fingergen.New(seed).Impression(referenceImpression).Image, RefWidth, RefHeight, 500)
}
