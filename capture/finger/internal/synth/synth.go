// Package synth draws synthetic fingerprint-like images and degrades them, for
// the tests and benchmarks of the fingerprint packages and for the
// pipeline's self-test. The prints are not
// anyone's: ridges follow an analytic phase field (concentric ellipses bent by
// a smooth distortion) inside an elliptical fingertip, dark ridges on a light
// background as ISO/IEC 19794-4 expects at 500 ppi.
//
// Its images must never leave the process (no files, no uplink): they are
// test input, not captures.
package synth

import (
	"image"
	"math"
	"math/rand/v2"
)

// Params describe a synthetic print.
type Params struct {
	Width, Height int
	Seed          uint64
	Period        float64 // ridge period in pixels (500 ppi prints: 8-11)
	// CoreX, CoreY place the pattern centre as fractions of the size.
	CoreX, CoreY float64
	// FingerW, FingerH size the fingertip ellipse as fractions of the size;
	// FingerX, FingerY place its centre.
	FingerW, FingerH, FingerX, FingerY float64
	Ridge, Valley, Background          uint8
	Noise                              float64 // standard deviation of added noise
}

// Default returns a 256x288 print like an R30x scanner produces after the
// 4-bit samples are expanded to 8 bits.
func Default(seed uint64) Params {
	return Params{
		Width: 256, Height: 288, Seed: seed, Period: 9.5,
		CoreX: 0.5, CoreY: 0.45, FingerW: 0.80, FingerH: 0.86, FingerX: 0.5, FingerY: 0.52,
		Ridge: 40, Valley: 205, Background: 235, Noise: 6,
	}
}

// Print draws the print.
func Print(p Params) *image.Gray {
	img := image.NewGray(image.Rect(0, 0, p.Width, p.Height))
	rng := rand.New(rand.NewPCG(p.Seed, p.Seed^0x9e3779b97f4a7c15))
	bend := 0.6 + 0.8*rng.Float64()
	tilt := (rng.Float64() - 0.5) * 0.6
	cx, cy := p.CoreX*float64(p.Width), p.CoreY*float64(p.Height)
	for y := range p.Height {
		for x := range p.Width {
			m := fingerMask(p, float64(x), float64(y))
			v := float64(p.Background)
			if m > 0 {
				ph := phase(float64(x)-cx, float64(y)-cy, bend, tilt) / p.Period
				r := 0.5 + 0.5*math.Cos(2*math.Pi*ph) // 1 on ridges
				in := float64(p.Valley) + (float64(p.Ridge)-float64(p.Valley))*r
				v = m*in + (1-m)*v
			}
			v += rng.NormFloat64() * p.Noise
			img.Pix[y*img.Stride+x] = clamp(v)
		}
	}
	return img
}

// phase is a fingerprint-like distance: concentric ellipses around the core,
// bent by a smooth distortion so orientation varies across the print.
func phase(dx, dy, bend, tilt float64) float64 {
	r := math.Hypot(dx+tilt*dy, dy*1.25)
	return r + bend*12*math.Sin(dx/45)*math.Exp(-dy*dy/9000) + 4*math.Sin(dy/37)
}

// fingerMask is 1 inside the fingertip ellipse, falling to 0 over a soft edge.
func fingerMask(p Params, x, y float64) float64 {
	ex := (x - p.FingerX*float64(p.Width)) / (p.FingerW * float64(p.Width) / 2)
	ey := (y - p.FingerY*float64(p.Height)) / (p.FingerH * float64(p.Height) / 2)
	d := math.Sqrt(ex*ex + ey*ey)
	return math.Max(0, math.Min(1, (1.0-d)*12))
}

func clamp(v float64) uint8 {
	return uint8(math.Max(0, math.Min(255, math.Round(v))))
}

// Quantize4 keeps the top 4 bits of every sample and expands them back to
// 8 bits (v*17), as an R30x driver does with the scanner's 4-bit upload.
func Quantize4(img *image.Gray) *image.Gray {
	out := clone(img)
	for i, v := range out.Pix {
		out.Pix[i] = (v >> 4) * 17
	}
	return out
}

func clone(img *image.Gray) *image.Gray {
	out := image.NewGray(img.Rect)
	copy(out.Pix, img.Pix)
	return out
}

// Blur applies a Gaussian blur of standard deviation sigma (pixels).
func Blur(img *image.Gray, sigma float64) *image.Gray {
	if sigma <= 0 {
		return clone(img)
	}
	r := int(math.Ceil(3 * sigma))
	k := make([]float64, 2*r+1)
	var sum float64
	for i := range k {
		d := float64(i - r)
		k[i] = math.Exp(-d * d / (2 * sigma * sigma))
		sum += k[i]
	}
	for i := range k {
		k[i] /= sum
	}
	w, h := img.Rect.Dx(), img.Rect.Dy()
	tmp := make([]float64, w*h)
	for y := range h {
		for x := range w {
			var s float64
			for i, kv := range k {
				s += kv * float64(img.Pix[y*img.Stride+clampInt(x+i-r, w)])
			}
			tmp[y*w+x] = s
		}
	}
	out := image.NewGray(img.Rect)
	for y := range h {
		for x := range w {
			var s float64
			for i, kv := range k {
				s += kv * tmp[clampInt(y+i-r, h)*w+x]
			}
			out.Pix[y*out.Stride+x] = clamp(s)
		}
	}
	return out
}

func clampInt(v, n int) int { return max(0, min(n-1, v)) }

// Noise adds Gaussian noise of standard deviation sigma.
func Noise(img *image.Gray, sigma float64, seed uint64) *image.Gray {
	out := clone(img)
	rng := rand.New(rand.NewPCG(seed, 7))
	for i, v := range out.Pix {
		out.Pix[i] = clamp(float64(v) + rng.NormFloat64()*sigma)
	}
	return out
}

// KeepFraction blanks (to value bg) everything below the top frac of the
// image, as when only part of the finger touches the platen.
func KeepFraction(img *image.Gray, frac float64, bg uint8) *image.Gray {
	out := clone(img)
	h := img.Rect.Dy()
	cut := int(frac * float64(h))
	for y := cut; y < h; y++ {
		row := out.Pix[y*out.Stride : y*out.Stride+img.Rect.Dx()]
		for i := range row {
			row[i] = bg
		}
	}
	return out
}

// Shift moves the image content by dx, dy, filling with bg.
func Shift(img *image.Gray, dx, dy int, bg uint8) *image.Gray {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	out := image.NewGray(img.Rect)
	for y := range h {
		for x := range w {
			sx, sy := x-dx, y-dy
			v := bg
			if sx >= 0 && sx < w && sy >= 0 && sy < h {
				v = img.Pix[sy*img.Stride+sx]
			}
			out.Pix[y*out.Stride+x] = v
		}
	}
	return out
}

// Levels maps every sample v to a + b*v: b < 1 with a large a mimics a light
// touch or a dry finger (washed out), a small a a wet, dark one.
func Levels(img *image.Gray, a, b float64) *image.Gray {
	out := clone(img)
	for i, v := range out.Pix {
		out.Pix[i] = clamp(a + b*float64(v))
	}
	return out
}

// Dry breaks ridges: a fraction of ridge pixels, in blotches, turns light.
func Dry(img *image.Gray, amount float64, seed uint64) *image.Gray {
	out := clone(img)
	rng := rand.New(rand.NewPCG(seed, 11))
	w, h := img.Rect.Dx(), img.Rect.Dy()
	blotches := int(amount * float64(w*h) / 40)
	for range blotches {
		x0, y0 := rng.IntN(w), rng.IntN(h)
		r := 1 + rng.IntN(3)
		for y := max(0, y0-r); y < min(h, y0+r+1); y++ {
			for x := max(0, x0-r); x < min(w, x0+r+1); x++ {
				i := y*out.Stride + x
				out.Pix[i] = max(out.Pix[i], 215)
			}
		}
	}
	return out
}

// Smear merges ridges into valleys the way a wet finger or heavy pressure
// does: a grayscale erosion (minimum over a (2r+1)-square) followed by
// darkening.
func Smear(img *image.Gray, r int) *image.Gray {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	out := image.NewGray(img.Rect)
	for y := range h {
		for x := range w {
			m := uint8(255)
			for yy := max(0, y-r); yy < min(h, y+r+1); yy++ {
				for xx := max(0, x-r); xx < min(w, x+r+1); xx++ {
					m = min(m, img.Pix[yy*img.Stride+xx])
				}
			}
			out.Pix[y*out.Stride+x] = m
		}
	}
	return out
}
