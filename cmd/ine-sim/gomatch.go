package main

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/draw"
	_ "image/jpeg" // face probes and references
	_ "image/png"  // finger references
	"math"

	"github.com/ventanilla-mx/ventanilla/capture/finger/iso19794"
	"github.com/ventanilla-mx/ventanilla/capture/finger/wsq"
	"github.com/ventanilla-mx/ventanilla/uplink"
)

// goMatcher is ine-sim's default matcher, in pure Go: it compares 32x32
// (face, central square) or 64x64 (finger, central square) grey
// thumbnails by normalised cross-correlation, mapped to 0-100 (identical
// images score 100, unrelated ones near 0). It is a protocol
// simulator's matcher, not a biometric one: build with -tags cvmatch for
// the OpenCV matcher (uplink/inesim/cvmatch).
type goMatcher struct{}

func (goMatcher) Close() {}

// FaceSimilarity implements inesim.Matcher.
func (goMatcher) FaceSimilarity(probe, reference []byte) (int, error) {
	a, err := decodeImage(probe)
	if err != nil {
		return 0, err
	}
	b, err := decodeImage(reference)
	if err != nil {
		return 0, err
	}
	return similarity(thumb(a, 32), thumb(b, 32)), nil
}

// FingerSimilarity implements inesim.Matcher.
func (goMatcher) FingerSimilarity(probe []byte, format uplink.Format, reference []byte) (int, error) {
	a, err := decodeFinger(probe, format)
	if err != nil {
		return 0, err
	}
	b, err := decodeFinger(reference, "")
	if err != nil {
		return 0, err
	}
	return similarity(thumb(a, 64), thumb(b, 64)), nil
}

var errUndecodable = errors.New("ine-sim matcher: undecodable image")

func decodeImage(b []byte) (*image.Gray, error) {
	img, _, err := image.Decode(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errUndecodable, err)
	}
	g := image.NewGray(img.Bounds())
	draw.Draw(g, g.Bounds(), img, img.Bounds().Min, draw.Src)
	return g, nil
}

func decodeFinger(b []byte, format uplink.Format) (*image.Gray, error) {
	switch {
	case format == uplink.FormatWSQ:
		return decodeWSQ(b)
	case format == uplink.FormatISO197944 || len(b) > 4 && string(b[:4]) == "FIR\x00":
		r, err := iso19794.Parse(b)
		if err != nil || len(r.Views) == 0 {
			return nil, fmt.Errorf("%w: ISO/IEC 19794-4: %v", errUndecodable, err)
		}
		v := r.Views[0]
		switch r.Compression {
		case iso19794.Uncompressed:
			if len(v.Image) != int(v.Width)*int(v.Height) {
				return nil, fmt.Errorf("%w: ISO/IEC 19794-4 raw size", errUndecodable)
			}
			return &image.Gray{Pix: v.Image, Stride: int(v.Width), Rect: image.Rect(0, 0, int(v.Width), int(v.Height))}, nil
		case iso19794.WSQ:
			return decodeWSQ(v.Image)
		}
		return decodeImage(v.Image)
	}
	return decodeImage(b)
}

func decodeWSQ(b []byte) (*image.Gray, error) {
	pix, w, h, err := wsq.DecodePixels(b)
	if err != nil {
		return nil, fmt.Errorf("%w: WSQ: %v", errUndecodable, err)
	}
	return &image.Gray{Pix: pix, Stride: w, Rect: image.Rect(0, 0, w, h)}, nil
}

// thumb is the central square of g, box-averaged to n x n.
func thumb(g *image.Gray, n int) []float64 {
	r := g.Bounds()
	side := min(r.Dx(), r.Dy())
	x0, y0 := r.Min.X+(r.Dx()-side)/2, r.Min.Y+(r.Dy()-side)/2
	out := make([]float64, n*n)
	for y := range side {
		for x := range side {
			out[(y*n/side)*n+x*n/side] += float64(g.GrayAt(x0+x, y0+y).Y)
		}
	}
	return out
}

// similarity maps the normalised cross-correlation of a and b to 0-100.
func similarity(a, b []float64) int {
	ma, mb := mean(a), mean(b)
	var sab, saa, sbb float64
	for i := range a {
		da, db := a[i]-ma, b[i]-mb
		sab, saa, sbb = sab+da*db, saa+da*da, sbb+db*db
	}
	if saa == 0 || sbb == 0 {
		return 0
	}
	ncc := sab / math.Sqrt(saa*sbb)
	return int(math.Round(math.Max(0, ncc) * 100))
}

func mean(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}
