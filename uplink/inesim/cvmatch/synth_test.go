//go:build cvmatch

package cvmatch

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math"
	"math/rand/v2"
	"testing"
)

// ridges draws a synthetic fingerprint-like pattern: rings around (cx, cy)
// with a slowly varying period, plus a little noise.
func ridges(w, h int, cx, cy, period float64, seed uint64) []byte {
	rng := rand.New(rand.NewPCG(seed, 1))
	pix := make([]byte, w*h)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			dx, dy := float64(x)-cx, float64(y)-cy
			r := math.Hypot(dx, dy*1.3) + 6*math.Sin(math.Atan2(dy, dx)*2)
			v := 128 + 100*math.Sin(2*math.Pi*r/period) + rng.NormFloat64()*8
			pix[y*w+x] = byte(math.Max(0, math.Min(255, v)))
		}
	}
	return pix
}

func grayImage(pix []byte, w, h int) *image.Gray {
	return &image.Gray{Pix: pix, Stride: w, Rect: image.Rect(0, 0, w, h)}
}

func encodePNG(t testing.TB, img image.Image) []byte {
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func encodeJPEG(t testing.TB, img image.Image) []byte {
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// shift returns pix translated by (dx, dy), edges replicated.
func shift(pix []byte, w, h, dx, dy int) []byte {
	out := make([]byte, len(pix))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			sx, sy := min(max(x-dx, 0), w-1), min(max(y-dy, 0), h-1)
			out[y*w+x] = pix[sy*w+sx]
		}
	}
	return out
}

// texture draws a synthetic face-sized texture (no real face: the matcher
// falls back to the central square), seeded.
func texture(w, h int, seed uint64) *image.RGBA {
	rng := rand.New(rand.NewPCG(seed, 2))
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	type blob struct{ x, y, r, v float64 }
	var blobs []blob
	for range 40 {
		blobs = append(blobs, blob{rng.Float64() * float64(w), rng.Float64() * float64(h), 5 + rng.Float64()*30, rng.Float64()*200 - 100})
	}
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			v := 128.0
			for _, b := range blobs {
				d := math.Hypot(float64(x)-b.x, float64(y)-b.y)
				v += b.v * math.Exp(-d*d/(2*b.r*b.r))
			}
			g := uint8(math.Max(0, math.Min(255, v)))
			img.Set(x, y, color.RGBA{g, g, g, 255})
		}
	}
	return img
}

// brighten adds delta to every channel.
func brighten(src *image.RGBA, delta int) *image.RGBA {
	out := image.NewRGBA(src.Rect)
	for i, v := range src.Pix {
		if i%4 == 3 {
			out.Pix[i] = v
			continue
		}
		out.Pix[i] = uint8(min(255, max(0, int(v)+delta)))
	}
	return out
}
