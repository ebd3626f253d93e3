package landmark

import (
	"fmt"
	"image"
	"image/color"
	"math"

	"gocv.io/x/gocv"
)

// Iris model geometry: a 64x64 eye crop in, 71 eye-region contour points then
// 5 iris points out (x, y, z each, in crop pixels). Of the contour, points
// 0-8 are the lower lid from corner to corner and 9-15 the upper lid between
// them, point 9 next to corner 0.
const (
	irisInput   = 64
	irisOutputs = 76
	lidPoints   = 16
	eyeCropSide = 2.3 // crop side over the corner-to-corner distance
)

// IrisFile is the iris model's model.json inside Opts.ModelDir.
const IrisFile = "iris.json"

// Eye is one eye as the iris model sees it, in frame pixels.
type Eye struct {
	Lids [lidPoints]Point // 0-8 lower lid (corner to corner), 9-15 upper lid
	Iris Point            // centre of the iris
}

// openness is the mean gap between matching upper and lower lid points over
// the corner-to-corner width, in the image plane.
func (e *Eye) openness() float64 {
	w := dist2(e.Lids[0], e.Lids[8])
	if w == 0 {
		return 0
	}
	gap := 0.0
	for j := 1; j <= 5; j++ {
		gap += dist2(e.Lids[9+j], e.Lids[1+j])
	}
	return gap / 5 / w
}

func dist2(a, b Point) float64 { return math.Hypot(float64(a.X-b.X), float64(a.Y-b.Y)) }

// refineEyes runs the iris model on both eyes of l. The model is trained on
// the eye on the image's left (the person's right); the other eye is
// mirrored in and out.
func (m *Mesh) refineEyes(frame gocv.Mat, l *Landmarks) error {
	if err := m.eye(frame, l, rightEyeOuter, rightEyeInner, false, &l.Eyes[1]); err != nil {
		return err
	}
	if err := m.eye(frame, l, leftEyeOuter, leftEyeInner, true, &l.Eyes[0]); err != nil {
		return err
	}
	l.EyesRefined = true
	return nil
}

func (m *Mesh) eye(frame gocv.Mat, l *Landmarks, outer, inner int, mirror bool, e *Eye) error {
	a, b := l.Points[outer], l.Points[inner]
	side := eyeCropSide * dist2(a, b)
	if side < 4 {
		return fmt.Errorf("landmark: eye too small to refine")
	}
	cx, cy := float64(a.X+b.X)/2, float64(a.Y+b.Y)/2
	x0, y0 := cx-side/2, cy-side/2
	s := irisInput / side
	sx, tx := s, -s*x0
	if mirror { // dst_x = s * (x0 + side - src_x)
		sx, tx = -s, s*(x0+side)
	}
	for i, v := range []float64{sx, 0, tx, 0, s, -s * y0} {
		m.warp.SetDoubleAt(i/3, i%3, v)
	}
	gocv.WarpAffineWithParams(frame, &m.eyeCrop, m.warp, image.Pt(irisInput, irisInput),
		gocv.InterpolationLinear, gocv.BorderReplicate, color.RGBA{})
	if err := toRGB(m.eyeCrop, m.iris.Input()); err != nil {
		return err
	}
	m.iris.Run()
	out, _ := m.iris.Output("Identity")
	back := func(k int) Point {
		x, y := float64(out[3*k])/s, float64(out[3*k+1])/s
		if mirror {
			x = side - x
		}
		return Point{X: float32(x0 + x), Y: float32(y0 + y), Z: out[3*k+2] / float32(s)}
	}
	for k := range e.Lids {
		e.Lids[k] = back(k)
	}
	e.Iris = back(71)
	return nil
}
