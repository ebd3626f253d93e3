//go:build cvmatch

package cvmatch

import (
	"crypto/sha256"
	"image"
	"math"

	"gocv.io/x/gocv"
)

// LBPH parameters: radius 1, 8 neighbours, 8x8 grid as cv::face's defaults,
// with Ahonen et al.'s uniform patterns.
const (
	faceSide  = 128
	lbphGrid  = 8
	lbphBins  = 59   // uniform patterns (58) + one bin for the rest
	faceMid   = 80.0 // distance that scores 50
	faceScale = 10.0
)

// FaceSimilarity scores a probe face (JPEG) against a reference image with
// LBPH (see the package doc for the method and its limits).
func (m *Matcher) FaceSimilarity(probe, reference []byte) (int, error) {
	w := m.get()
	defer m.put(w)
	ref, err := m.referenceHistogram(w, reference)
	if err != nil {
		return 0, err
	}
	pr, err := w.faceHistogram(probe)
	if err != nil {
		return 0, err
	}
	defer clear(pr)
	d := chiSquare(pr, ref)
	return clamp100(100 / (1 + math.Exp((d-faceMid)/faceScale))), nil
}

// referenceHistogram returns the cached histogram of a registry reference
// (registry data, not received data, so caching it retains nothing).
func (m *Matcher) referenceHistogram(w *worker, reference []byte) ([]float64, error) {
	key := sha256.Sum256(reference)
	m.mu.Lock()
	h, ok := m.refs[key]
	m.mu.Unlock()
	if ok {
		return h, nil
	}
	h, err := w.faceHistogram(reference)
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	if len(m.refs) >= maxCachedRefs {
		clear(m.refs)
	}
	m.refs[key] = h
	m.mu.Unlock()
	return h, nil
}

const maxCachedRefs = 4096

// faceHistogram decodes, crops the face and returns its spatial LBP
// histogram (lbphGrid x lbphGrid cells of lbphBins bins, each cell summing
// to 1).
func (w *worker) faceHistogram(b []byte) ([]float64, error) {
	crop, err := w.faceCrop(b)
	if err != nil {
		return nil, err
	}
	defer wipeClose(&crop)
	pix, err := crop.DataPtrUint8()
	if err != nil {
		return nil, ErrUndecodable
	}
	return lbpHistogram(pix, faceSide, faceSide), nil
}

// faceCrop decodes, finds the largest face (or the central square), crops,
// resizes to 128x128 and equalises.
func (w *worker) faceCrop(b []byte) (gocv.Mat, error) {
	img, err := decodeGray(b)
	if err != nil {
		return img, err
	}
	defer wipeClose(&img)
	box, found := centerSquare(image.Pt(img.Cols(), img.Rows())), false
	for _, r := range w.cascade.DetectMultiScale(img) {
		if !found || r.Dx()*r.Dy() > box.Dx()*box.Dy() {
			box, found = r, true
		}
	}
	roi := img.Region(box)
	defer roi.Close()
	out := gocv.NewMat()
	gocv.Resize(roi, &out, image.Pt(faceSide, faceSide), 0, 0, gocv.InterpolationArea)
	gocv.EqualizeHist(out, &out)
	return out, nil
}

// uniformBin maps an 8-bit LBP code to its uniform-pattern bin (Ahonen et
// al.'s LBP u2 operator): the 58 codes with at most two 0/1 transitions
// around the circle get their own bins 0-57, every other code bin 58.
var uniformBin = func() (t [256]uint8) {
	next := uint8(0)
	for c := 0; c < 256; c++ {
		rot := (c >> 1) | (c&1)<<7
		if bits := popcount8(uint8(c ^ rot)); bits <= 2 {
			t[c], next = next, next+1
		} else {
			t[c] = 58
		}
	}
	return t
}()

func popcount8(v uint8) int {
	n := 0
	for ; v != 0; v &= v - 1 {
		n++
	}
	return n
}

// lbpHistogram computes the 3x3 LBP code of each interior pixel (neighbours
// clockwise from the top-left, bit set when >= centre), maps it to its
// uniform bin and builds the normalised histogram of each grid cell.
func lbpHistogram(pix []byte, w, h int) []float64 {
	hist := make([]float64, lbphGrid*lbphGrid*lbphBins)
	cw, ch := (w-2)/lbphGrid, (h-2)/lbphGrid
	offs := [8][2]int{{-1, -1}, {0, -1}, {1, -1}, {1, 0}, {1, 1}, {0, 1}, {-1, 1}, {-1, 0}}
	for y := 1; y < 1+ch*lbphGrid; y++ {
		for x := 1; x < 1+cw*lbphGrid; x++ {
			c, code := pix[y*w+x], 0
			for i, o := range offs {
				if pix[(y+o[1])*w+x+o[0]] >= c {
					code |= 1 << i
				}
			}
			cell := ((y-1)/ch)*lbphGrid + (x-1)/cw
			hist[cell*lbphBins+int(uniformBin[code])]++
		}
	}
	n := float64(cw * ch)
	for i := range hist {
		hist[i] /= n
	}
	return hist
}

// chiSquare is the alternative chi-square distance OpenCV's LBPH uses
// (HISTCMP_CHISQR_ALT): sum of 2 (a-b)^2 / (a+b).
func chiSquare(a, b []float64) float64 {
	d := 0.0
	for i := range a {
		if s := a[i] + b[i]; s > 0 {
			d += 2 * (a[i] - b[i]) * (a[i] - b[i]) / s
		}
	}
	return d
}
