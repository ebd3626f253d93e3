// Package degrade damages fingerprint images the way captures go wrong
// (blur, noise, partial contact, a shifted finger, washed-out or dark
// levels, dry or smeared ridges, the R30x's 4-bit samples), for the tests
// and benchmarks of the fingerprint packages and the pipeline's
// self-test. The prints themselves come from capture/finger/fingergen, the
// one synthetic-finger generator.
//
// Its images must never leave the process (no files, no uplink): they are
// test input, not captures.
package degrade

import (
	"image"
	"math"
	"math/rand/v2"
)

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
