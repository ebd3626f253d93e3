package face

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"math"

	"gocv.io/x/gocv"
)

// Alloc returns a buffer of exactly n bytes for the JPEG. The caller's
// allocator decides where it lives (e.g. locked, non-dumpable memory from
// package secmem) and who wipes it.
type Alloc func(n int) ([]byte, error)

// Shot is the best frontal image of a session.
type Shot struct {
	JPEG     []byte   // from the caller's Alloc; the caller owns and wipes it
	Geometry Geometry // the crop's layout
	Quality  Quality  // the gate's measures on the source frame
}

// ErrNoShot: no frame passed the quality gate yet. Retry is safe: keep
// feeding frames.
var ErrNoShot = errors.New("face: no frame passed the quality gate yet")

// bestShot keeps the aligned crop of the best frame so far.
type bestShot struct {
	crop gocv.Mat
	q    Quality
	g    Geometry
	ok   bool
}

func (b *bestShot) offer(frame gocv.Mat, obs *Observation, g Geometry) {
	if b.ok && obs.Quality.Score <= b.q.Score {
		return
	}
	b.reset()
	b.crop = align(frame, obs.Eyes, g)
	b.q, b.g, b.ok = obs.Quality, g, true
}

func (b *bestShot) reset() {
	if b.ok {
		wipe(&b.crop)
		b.crop.Close()
	}
	*b = bestShot{}
}

// align warps the frame so the eyes land on the geometry's eye positions
// (a similarity transform: rotation, uniform scale, translation).
func align(frame gocv.Mat, eyes [2]image.Point, g Geometry) gocv.Mat {
	tl, _ := g.eyeTargets()
	sx, sy := float64(eyes[1].X-eyes[0].X), float64(eyes[1].Y-eyes[0].Y)
	s := g.EyeDistance / math.Max(math.Hypot(sx, sy), 1)
	ang := math.Atan2(sy, sx)
	c, si := s*math.Cos(-ang), s*math.Sin(-ang)
	// x' = c*x - si*y + tx ; y' = si*x + c*y + ty, mapping eyes[0] to tl.
	tx := tl[0] - (c*float64(eyes[0].X) - si*float64(eyes[0].Y))
	ty := tl[1] - (si*float64(eyes[0].X) + c*float64(eyes[0].Y))
	m := gocv.NewMatWithSize(2, 3, gocv.MatTypeCV64F)
	defer m.Close()
	for i, v := range []float64{c, -si, tx, si, c, ty} {
		m.SetDoubleAt(i/3, i%3, v)
	}
	out := gocv.NewMat()
	gocv.WarpAffineWithParams(frame, &out, m, g.size(), gocv.InterpolationCubic, gocv.BorderReplicate, color.RGBA{})
	return out
}

// BestShot JPEG-encodes the best crop into memory from alloc. The native
// encoder buffer is zeroed before it is freed.
func (a *Analyzer) BestShot(alloc Alloc) (*Shot, error) {
	b := &a.best
	if !b.ok {
		return nil, ErrNoShot
	}
	buf, err := gocv.IMEncodeWithParams(gocv.JPEGFileExt, b.crop, []int{gocv.IMWriteJpegQuality, b.g.JPEGQuality})
	if err != nil {
		return nil, fmt.Errorf("face: encode best shot: %w", err)
	}
	defer buf.Close()
	native := buf.GetBytes()
	defer clear(native)
	dst, err := alloc(len(native))
	if err != nil {
		return nil, fmt.Errorf("face: allocate %d bytes for the best shot: %w", len(native), err)
	}
	if len(dst) < len(native) {
		return nil, fmt.Errorf("face: allocator returned %d bytes, need %d", len(dst), len(native))
	}
	n := copy(dst, native)
	return &Shot{JPEG: dst[:n], Geometry: b.g, Quality: b.q}, nil
}

// BestQuality reports the best shot's quality, and whether there is one.
func (a *Analyzer) BestQuality() (Quality, bool) { return a.best.q, a.best.ok }

func hypot(p image.Point) float64 { return math.Hypot(float64(p.X), float64(p.Y)) }
