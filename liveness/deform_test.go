package liveness

import (
	"image"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/ventanilla-mx/ventanilla/capture/face"
)

// deformRun feeds a 100 px face of 36 tracked points for n frames: the
// whole face moves by move(i) (a rigid, hand-held-like sway, with tracking
// error proportional to the step plus 0.2 px of noise) and the points in
// lids (indices 0-5) move down by lid(i) pixels. It returns the cue.
func deformRun(n int, move func(i int) (dx, dy float64), lid func(i int) float64) (float64, bool) {
	rng := rand.New(rand.NewPCG(1, 2))
	var w deformWindow
	for i := range n {
		dx, dy := move(i)
		sx, sy := move(i / 12 * 12) // where the window started
		// Tracking error on a moving surface grows with the distance moved
		// since the window's anchor (0.05 of it per axis, about the
		// synthetic prints' typical share), plus 0.2 px of noise.
		e := 0.2 + 0.05*math.Hypot(dx-sx, dy-sy)
		obs := face.Observation{Found: true, Box: image.Rect(100, 100, 200, 200), Time: time.Unix(0, int64(i)*4e7)}
		for k := range 36 {
			x, y := 110+float64(k%6)*16, 110+float64(k/6)*16
			if k < 6 {
				y += lid(i)
			}
			x += dx + e*rng.NormFloat64()
			y += dy + e*rng.NormFloat64()
			obs.Points = append(obs.Points, face.Point{ID: uint32(k), X: float32(x), Y: float32(y), Region: face.RegionFace})
		}
		w.feed(&obs, 12)
	}
	return w.score()
}

func TestDeformSeparatesLidsFromARigidSheet(t *testing.T) {
	minD := DefaultOpts().MinDeform
	sway := func(i int) (float64, float64) { // a hand: 30 px swings at 0.5 Hz
		return 30 * math.Sin(2*math.Pi*float64(i)/50), 10 * math.Cos(2*math.Pi*float64(i)/35)
	}
	still := func(int) (float64, float64) { return 0, 0 }
	none := func(int) float64 { return 0 }
	blinks := func(i int) float64 { // lids shut 4 frames of every 40
		if i%40 >= 30 && i%40 < 34 {
			return 6
		}
		return 0
	}
	for _, c := range []struct {
		name string
		move func(int) (float64, float64)
		lid  func(int) float64
		live bool
	}{
		{"sheet held still", still, none, false},
		{"sheet swung by a hand", sway, none, false},
		{"face blinking, still", still, blinks, true},
		{"face blinking, swaying", sway, blinks, true},
	} {
		v, ok := deformRun(150, c.move, c.lid)
		if !ok {
			t.Fatalf("%s: no window measured", c.name)
		}
		if got := v >= minD; got != c.live {
			t.Errorf("%s: deformation %.4f, live=%v; want %v (threshold %g)", c.name, v, got, c.live, minD)
		}
	}
}

// TestDeformNeedsPoints: a window with too few points measures nothing.
func TestDeformNeedsPoints(t *testing.T) {
	var w deformWindow
	for i := range 40 {
		obs := face.Observation{Found: true, Box: image.Rect(0, 0, 100, 100)}
		for k := range deformMinPoints - 1 {
			obs.Points = append(obs.Points, face.Point{ID: uint32(k), X: float32(10 * k), Y: float32(i % 3), Region: face.RegionFace})
		}
		w.feed(&obs, 12)
	}
	if _, ok := w.score(); ok {
		t.Fatal("scored a window with too few points")
	}
}

// judged builds a check that has seen 30 frames of a well-lit face whose
// static cues pass, with seq's steps all passed (cur = passed).
func judged(seq []Challenge, passed int) *Check {
	o := DefaultOpts()
	c := &Check{o: o.withDefaults(), found: 30, frames: 30, cur: passed, cues: map[string][]float64{CueColour: {50}}}
	for range 30 {
		c.bright = append(c.bright, 120)
	}
	for _, ch := range seq {
		c.steps = append(c.steps, &step{ch: ch})
	}
	return c
}

func TestPassiveNeedsEvidenceOfLife(t *testing.T) {
	c := judged(nil, 0)
	if d := c.PassiveDecision(); d.Verdict != Uncertain || d.Reason != ReasonNoEvidence {
		t.Fatalf("no evidence: %s; want UNCERTAIN(no_liveness_evidence)", d)
	}
	c.deform.out.scores = []float64{0.002, -0.004, 0.001}
	if d := c.PassiveDecision(); d.Verdict != Uncertain || len(d.Fails) != 1 || d.Fails[0] != CueDeformOutsideEyes {
		t.Fatalf("rigid face: %s fails %v; want UNCERTAIN failing deform_outside_eyes only", d, d.Fails)
	}
	c.deform.out.scores = append(c.deform.out.scores, 0.03, 0.04)
	if d := c.PassiveDecision(); d.Verdict != Live {
		t.Fatalf("deforming face: %s; want LIVE\n%s", d, d.Explain())
	}
	// The same check with its surround moving with the face: a hand-held
	// replay of a live face.
	c.motion.surround = []float64{0.8, 0.9}
	if d := c.PassiveDecision(); d.Verdict != Spoof || d.Reason != ReasonSurroundMoves {
		t.Fatalf("surround moving: %s; want SPOOF(background_moves_with_face)", d)
	}
	// A check without challenges decides as the passive verdict does.
	if d := c.Decision(); d.Verdict != Spoof || !d.Passive {
		t.Fatalf("Decision without challenges: %s passive=%v", d, d.Passive)
	}
}

func TestPassiveParallaxIsEvidence(t *testing.T) {
	c := judged(nil, 0)
	c.motion.parallax = []float64{0.02}
	if d := c.PassiveDecision(); d.Verdict == Live {
		t.Fatalf("parallax of the whole box only (a mask's hair and ears): %s; want not LIVE", d)
	}
	c.motion.parInner = []float64{0.02}
	if d := c.PassiveDecision(); d.Verdict != Live {
		t.Fatalf("a turning head: %s; want LIVE", d)
	}
}

// TestNoHeadMotionChallengeNeedsNoMotionWindow: blink + smile moves no head,
// so the lack of a motion window must not fail it (cap12-smile ended
// UNCERTAIN(insufficient_motion) before); a turn still needs one.
func TestNoHeadMotionChallengeNeedsNoMotionWindow(t *testing.T) {
	now := time.Unix(100, 0)
	c := judged([]Challenge{Blink, Smile}, 2)
	c.deform.out.scores = []float64{0.03} // the smile moved the lips
	if !c.enoughEvidence(now) {
		t.Error("blink+smile waits for a motion window")
	}
	if d := c.Decision(); d.Verdict != Live {
		t.Errorf("blink+smile without motion: %s; want LIVE", d)
	}
	c.motion.surround = []float64{0.5}
	if d := c.Decision(); d.Verdict != Spoof || d.Reason != ReasonSurroundMoves {
		t.Errorf("blink+smile with the surround moving: %s; want SPOOF(background_moves_with_face)", d)
	}
	c = judged([]Challenge{Blink, TurnLeft}, 2)
	if c.enoughEvidence(now) {
		t.Error("blink+turn_left did not wait for a motion window")
	}
	if d := c.Decision(); d.Verdict != Uncertain || d.Reason != ReasonNoMotion {
		t.Errorf("blink+turn_left without motion: %s; want UNCERTAIN(insufficient_motion)", d)
	}
}

// BenchmarkDeformVsStatic measures, in the same run, the hand-made static
// cues on gocv's face.jpg (the baseline, one computation, run every 3rd
// frame) and the deformation cue: one measurement (a least-median-of-
// squares homography on 40 face points, run every 3rd frame) and its mean
// cost per frame fed. CPU time per op (getrusage): the machine is shared.
// Run on one core: GOMAXPROCS=1 OPENCV_FOR_THREADS_NUM=1 taskset -c 0.
func BenchmarkDeformVsStatic(b *testing.B) {
	src := loadFace(b)
	defer src.Close()
	obs := make([]face.Observation, 12)
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range obs {
		obs[i] = face.Observation{Found: true, Box: faceBox}
		for k := range 40 {
			x := float64(faceBox.Min.X) + float64(k%8)*float64(faceBox.Dx())/8 + float64(i) + rng.NormFloat64()
			y := float64(faceBox.Min.Y) + float64(k/8)*float64(faceBox.Dy())/5 + rng.NormFloat64()
			obs[i].Points = append(obs[i].Points, face.Point{ID: uint32(k), X: float32(x), Y: float32(y)})
		}
	}
	b.Run("static_cues", func(b *testing.B) {
		s := newStaticScorer()
		defer s.close()
		c0 := cpuTime(b)
		for i := 0; i < b.N; i++ {
			s.score(src, faceBox)
		}
		reportCPU(b, c0)
	})
	b.Run("deform_measure", func(b *testing.B) {
		var w deformWindow
		w.reanchor(&obs[0])
		c0 := cpuTime(b)
		for i := 0; i < b.N; i++ {
			if _, ok := w.measure(&obs[1+i%11]); !ok {
				b.Fatal("not measured")
			}
		}
		reportCPU(b, c0)
	})
	b.Run("deform_per_frame", func(b *testing.B) {
		var w deformWindow
		c0 := cpuTime(b)
		for i := 0; i < b.N; i++ {
			w.feed(&obs[i%len(obs)], 12)
		}
		reportCPU(b, c0)
	})
}
