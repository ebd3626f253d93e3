//go:build cvmatch

package cvmatch

import (
	"fmt"
	"github.com/ventanilla-mx/ventanilla/capture/finger/iso19794"
	"image"
	"image/color"

	"gocv.io/x/gocv"

	"github.com/ventanilla-mx/ventanilla/uplink"
)

// Correlation matching parameters (package doc). Two impressions of one
// finger are each placed within about ±12° (capture/finger/fingergen, and a
// citizen at a counter), so their relative rotation spans ±24°: the search
// covers it. The score scale is calibrated on the emulator's impressions
// (docs/uplink.md): genuine pairs' best coefficient 0.48-0.80, impostors'
// 0.10-0.30.
var (
	fingerAngles  = []float64{-24, -18, -12, -8, -4, 0, 4, 8, 12, 18, 24}
	fingerLow     = 0.20
	fingerHigh    = 0.55
	templateShare = 0.6
)

// FingerSimilarity scores a probe fingerprint (WSQ or ISO/IEC 19794-4)
// against a reference image (PNG, JPEG or an ISO/IEC 19794-4 record) by
// rotated normalised cross-correlation.
func (m *Matcher) FingerSimilarity(probe []byte, format uplink.Format, reference []byte) (int, error) {
	pr, err := m.decodeFinger(probe, format)
	if err != nil {
		return 0, err
	}
	defer wipeClose(&pr)
	ref, err := m.decodeFinger(reference, "")
	if err != nil {
		return 0, err
	}
	defer ref.Close()
	enhance(&pr)
	enhance(&ref)
	best := bestCorrelation(pr, ref)
	return clamp100(100 * (best - fingerLow) / (fingerHigh - fingerLow)), nil
}

// decodeFinger reads format (empty: sniff ISO record, else any image).
func (m *Matcher) decodeFinger(b []byte, format uplink.Format) (gocv.Mat, error) {
	switch {
	case format == uplink.FormatWSQ:
		return m.decodeWSQ(b)
	case format == uplink.FormatISO197944 || len(b) > 4 && string(b[:4]) == "FIR\x00":
		return m.decodeISO(b)
	}
	return decodeGray(b)
}

func (m *Matcher) decodeWSQ(b []byte) (gocv.Mat, error) {
	if m.opts.DecodeWSQ == nil {
		return gocv.NewMat(), fmt.Errorf("%w: no WSQ decoder configured", ErrUndecodable)
	}
	pix, w, h, err := m.opts.DecodeWSQ(b)
	if err != nil {
		return gocv.NewMat(), fmt.Errorf("%w: WSQ: %v", ErrUndecodable, err)
	}
	defer clear(pix)
	return rawGray(pix, w, h)
}

// isoMaxSide bounds the image the simulator decodes from a record.
const isoMaxSide = 4096

// decodeISO reads the first view of an ISO/IEC 19794-4 record (the
// kiosk's one reader, capture/finger/iso19794): 8-bit pixels, raw, PNG,
// JPEG or WSQ.
func (m *Matcher) decodeISO(b []byte) (gocv.Mat, error) {
	r, err := iso19794.Parse(b)
	if err != nil {
		return gocv.NewMat(), fmt.Errorf("%w: %v", ErrUndecodable, err)
	}
	v := r.Views[0]
	if r.PixelDepth != 8 || v.Width > isoMaxSide || v.Height > isoMaxSide {
		return gocv.NewMat(), fmt.Errorf("%w: ISO/IEC 19794-4 pixel depth or size not supported by the simulator", ErrUndecodable)
	}
	switch r.Compression {
	case iso19794.Uncompressed:
		return rawGray(v.Image, int(v.Width), int(v.Height))
	case iso19794.PNG, iso19794.JPEG:
		return decodeGray(v.Image)
	case iso19794.WSQ:
		return m.decodeWSQ(v.Image)
	}
	return gocv.NewMat(), fmt.Errorf("%w: ISO/IEC 19794-4 compression %d not supported by the simulator", ErrUndecodable, r.Compression)
}

// rawGray copies 8-bit pixels into a new Mat.
func rawGray(pix []byte, w, h int) (gocv.Mat, error) {
	if w <= 0 || h <= 0 || len(pix) != w*h {
		return gocv.NewMat(), ErrUndecodable
	}
	view, err := gocv.NewMatFromBytes(h, w, gocv.MatTypeCV8U, pix)
	if err != nil {
		return gocv.NewMat(), ErrUndecodable
	}
	defer view.Close()
	return view.Clone(), nil
}

func enhance(m *gocv.Mat) {
	clahe := gocv.NewCLAHEWithParams(2.0, image.Pt(8, 8))
	defer clahe.Close()
	clahe.Apply(*m, m)
	gocv.GaussianBlur(*m, m, image.Pt(3, 3), 0, 0, gocv.BorderReplicate)
}

// bestCorrelation slides rotated central crops of the probe over the
// reference and returns the best TM_CCOEFF_NORMED value.
func bestCorrelation(probe, ref gocv.Mat) float64 {
	return bestCorrelationOver(probe, ref, fingerAngles)
}

// bestCorrelationOver is bestCorrelation over the given angles (the
// benchmark compares the search with one angle).
func bestCorrelationOver(probe, ref gocv.Mat, angles []float64) float64 {
	side := image.Pt(int(float64(probe.Cols())*templateShare), int(float64(probe.Rows())*templateShare))
	side.X, side.Y = min(side.X, ref.Cols()-8), min(side.Y, ref.Rows()-8)
	if side.X < 16 || side.Y < 16 {
		return 0
	}
	center := image.Pt(probe.Cols()/2, probe.Rows()/2)
	best := -1.0
	for _, a := range angles {
		best = max(best, correlateAt(probe, ref, center, side, a))
	}
	return best
}

func correlateAt(probe, ref gocv.Mat, center, side image.Point, angle float64) float64 {
	rot := gocv.GetRotationMatrix2D(center, angle, 1)
	defer rot.Close()
	turned := gocv.NewMat()
	defer wipeClose(&turned)
	gocv.WarpAffineWithParams(probe, &turned, rot, image.Pt(probe.Cols(), probe.Rows()), gocv.InterpolationLinear, gocv.BorderReplicate, color.RGBA{})
	r := image.Rect(center.X-side.X/2, center.Y-side.Y/2, center.X-side.X/2+side.X, center.Y-side.Y/2+side.Y)
	tpl := turned.Region(r)
	defer tpl.Close()
	res, mask := gocv.NewMat(), gocv.NewMat()
	defer res.Close()
	defer mask.Close()
	gocv.MatchTemplate(ref, tpl, &res, gocv.TmCcoeffNormed, mask)
	_, maxVal, _, _ := gocv.MinMaxLoc(res)
	return float64(maxVal)
}
