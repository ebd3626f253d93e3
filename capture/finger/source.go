package finger

import (
	"errors"
	"fmt"
	"image"
	"math"
)

// TargetPPI is the resolution the quality measure, WSQ and the finger image
// record work at: WSQ is specified for 500 ppi and the quality features'
// ridge-width and frequency bands assume it.
const TargetPPI = 500

// Resolution rules (docs/fingerprint.md):
//   - a source within ±PPITolerance of 500 ppi is used as is and declared as
//     500 ppi (the R30x's nominal 500 ppi is not calibrated more finely);
//   - a source between MinSourcePPI and MaxSourcePPI is resampled to 500 ppi:
//     area averaging when shrinking (so ridges do not alias), bilinear when
//     enlarging;
//   - anything else is refused: below 250 ppi a ridge period (about 0.46 mm)
//     is under 5 pixels and cannot be restored.
const (
	PPITolerance = 0.02
	MinSourcePPI = 250
	MaxSourcePPI = 2000
)

// Source describes how an image was captured.
type Source struct {
	// PPI is the sampling resolution, the same on both axes.
	PPI float64
	// BitDepth is the number of significant bits per sample before they were
	// expanded to 8 (1..8).
	BitDepth int
	// Device is the capture device id written to finger image records (0 if
	// unknown).
	Device uint16
}

// R30x is the Hangzhou Grow R30x family (R305/R307): 256x288 images at
// 500 dpi per the datasheet (the image spans 13.0 x 14.6 mm of the 14 x 18 mm
// window), uploaded as 4-bit samples that the driver expands to 8 bits as
// v*17 so that 0 and 15 map to 0 and 255.
var R30x = Source{PPI: 500, BitDepth: 4}

// Generic500 is an 8-bit, 500 ppi image (FBI Appendix F / PIV scanners,
// NIST special databases, the SourceAFIS samples).
var Generic500 = Source{PPI: 500, BitDepth: 8}

// ErrResolution reports an image whose resolution cannot be brought to
// 500 ppi; retrying with the same source will not help.
var ErrResolution = errors.New("finger: image resolution outside 250..2000 ppi")

// ErrNotNormalized reports an image that is not at 500 ppi; call Normalize.
var ErrNotNormalized = errors.New("finger: image is not at 500 ppi; call Normalize first")

// Validate checks the source description.
func (s Source) Validate() error {
	if s.PPI < MinSourcePPI || s.PPI > MaxSourcePPI || math.IsNaN(s.PPI) {
		return fmt.Errorf("%w: %g ppi", ErrResolution, s.PPI)
	}
	if s.BitDepth < 1 || s.BitDepth > 8 {
		return fmt.Errorf("finger: bit depth %d outside 1..8", s.BitDepth)
	}
	return nil
}

// AtTarget reports whether images from s are used at their native size.
func (s Source) AtTarget() bool {
	return math.Abs(s.PPI-TargetPPI) <= PPITolerance*TargetPPI
}

// Alloc returns exactly n bytes of caller-owned memory (a secmem buffer in
// the kiosk); whoever calls an encoder or Normalize with it wipes and
// releases the memory.
type Alloc func(n int) ([]byte, error)

// HeapAlloc allocates on the Go heap, for tools and tests.
func HeapAlloc(n int) ([]byte, error) { return make([]byte, n), nil }

// Normalize returns img at 500 ppi. When s is already at the target it
// returns img itself; otherwise it resamples into pixels from alloc.
func Normalize(img *image.Gray, s Source, alloc Alloc) (*image.Gray, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	if s.AtTarget() {
		return img, nil
	}
	scale := TargetPPI / s.PPI
	w := max(1, int(math.Round(float64(img.Rect.Dx())*scale)))
	h := max(1, int(math.Round(float64(img.Rect.Dy())*scale)))
	pix, err := alloc(w * h)
	if err != nil {
		return nil, fmt.Errorf("finger: allocate %d bytes to resample to 500 ppi: %w", w*h, err)
	}
	if len(pix) != w*h {
		clear(pix)
		return nil, fmt.Errorf("finger: allocator returned %d bytes, want %d", len(pix), w*h)
	}
	dst := &image.Gray{Pix: pix, Stride: w, Rect: image.Rect(0, 0, w, h)}
	if scale < 1 {
		shrink(dst, img)
	} else {
		enlarge(dst, img)
	}
	return dst, nil
}

// shrink averages the source area each destination pixel covers.
func shrink(dst, src *image.Gray) {
	sw, sh := src.Rect.Dx(), src.Rect.Dy()
	fx := float64(sw) / float64(dst.Rect.Dx())
	fy := float64(sh) / float64(dst.Rect.Dy())
	for y := range dst.Rect.Dy() {
		y0, y1 := float64(y)*fy, float64(y+1)*fy
		for x := range dst.Rect.Dx() {
			x0, x1 := float64(x)*fx, float64(x+1)*fx
			dst.Pix[y*dst.Stride+x] = toByte(areaMean(src, x0, x1, y0, y1))
		}
	}
}

// areaMean is the mean of src over [x0,x1)x[y0,y1), weighting partly covered
// pixels by their overlap.
func areaMean(src *image.Gray, x0, x1, y0, y1 float64) float64 {
	var sum, wsum float64
	for sy := int(y0); float64(sy) < y1 && sy < src.Rect.Dy(); sy++ {
		wy := math.Min(y1, float64(sy+1)) - math.Max(y0, float64(sy))
		row := grayRow(src, sy)
		for sx := int(x0); float64(sx) < x1 && sx < len(row); sx++ {
			wgt := wy * (math.Min(x1, float64(sx+1)) - math.Max(x0, float64(sx)))
			sum += wgt * float64(row[sx])
			wsum += wgt
		}
	}
	if wsum == 0 {
		return 0
	}
	return sum / wsum
}

// enlarge interpolates bilinearly between pixel centres.
func enlarge(dst, src *image.Gray) {
	sw, sh := src.Rect.Dx(), src.Rect.Dy()
	fx := float64(sw) / float64(dst.Rect.Dx())
	fy := float64(sh) / float64(dst.Rect.Dy())
	for y := range dst.Rect.Dy() {
		sy := math.Max(0, (float64(y)+0.5)*fy-0.5)
		y0 := min(int(sy), sh-1)
		y1, ty := min(y0+1, sh-1), sy-float64(y0)
		r0, r1 := grayRow(src, y0), grayRow(src, y1)
		for x := range dst.Rect.Dx() {
			sx := math.Max(0, (float64(x)+0.5)*fx-0.5)
			x0 := min(int(sx), sw-1)
			x1, tx := min(x0+1, sw-1), sx-float64(x0)
			top := float64(r0[x0])*(1-tx) + float64(r0[x1])*tx
			bot := float64(r1[x0])*(1-tx) + float64(r1[x1])*tx
			dst.Pix[y*dst.Stride+x] = toByte(top*(1-ty) + bot*ty)
		}
	}
}

func grayRow(img *image.Gray, y int) []uint8 {
	off := img.PixOffset(img.Rect.Min.X, img.Rect.Min.Y+y)
	return img.Pix[off : off+img.Rect.Dx()]
}

func toByte(v float64) uint8 { return uint8(math.Max(0, math.Min(255, math.Round(v)))) }
