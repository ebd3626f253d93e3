package liveness

import (
	"image"
	"image/color"
	"slices"
	"testing"
	"time"

	"github.com/ventanilla-mx/ventanilla/capture/face"
	"gocv.io/x/gocv"
)

// blinkRun feeds a blink step with openness values (both eyes), one frame
// every 40 ms, and reports whether and at which frame it passed.
func blinkRun(open []float64) (bool, int) {
	o := DefaultOpts()
	var b blinkState
	t0 := time.Unix(0, 0)
	for i, v := range open {
		g := FaceGeometry{OK: true, EyesOK: true, EyeOpenL: v, EyeOpenR: v}
		if b.feed(&g, t0.Add(time.Duration(i)*40*time.Millisecond), o) {
			return true, i
		}
	}
	return false, -1
}

func repeat(v float64, n int) []float64 { return slices.Repeat([]float64{v}, n) }

func TestBlink(t *testing.T) {
	cases := []struct {
		name string
		seq  []float64
		want bool
	}{
		{"open, closed 160 ms, open", slices.Concat(repeat(0.5, 10), repeat(0.2, 4), repeat(0.5, 3)), true},
		{"partial lid drop still a dip", slices.Concat(repeat(0.5, 10), repeat(0.35, 3), repeat(0.5, 3)), true},
		{"eyes never change (a print)", repeat(0.5, 60), false},
		{"tracking jitter of 10%", slices.Concat(repeat(0.5, 10), repeat(0.46, 3), repeat(0.52, 3), repeat(0.47, 3)), false},
		{"closed for a second (looking down)", slices.Concat(repeat(0.5, 10), repeat(0.2, 25), repeat(0.5, 5)), false},
		{"closed from the start, opens", slices.Concat(repeat(0.2, 10), repeat(0.5, 5)), false},
		{"no reopening", slices.Concat(repeat(0.5, 10), repeat(0.2, 10)), false},
		{"one-frame dip (noise)", slices.Concat(repeat(0.5, 10), repeat(0.2, 1), repeat(0.5, 5)), false},
	}
	for _, c := range cases {
		if got, _ := blinkRun(c.seq); got != c.want {
			t.Errorf("%s: passed=%v; want %v", c.name, got, c.want)
		}
	}
}

func TestBlinkNeedsBothEyes(t *testing.T) {
	o := DefaultOpts()
	var b blinkState
	t0 := time.Unix(0, 0)
	for i := 0; i < 30; i++ {
		r := 0.5
		if i >= 10 && i < 14 {
			r = 0.1 // one eye winks, the other stays open
		}
		g := FaceGeometry{OK: true, EyesOK: true, EyeOpenL: 0.5, EyeOpenR: r}
		if b.feed(&g, t0.Add(time.Duration(i)*40*time.Millisecond), o) {
			t.Fatal("a one-eyed wink passed as a blink")
		}
	}
}

// The eye-patch measure must fall when the lid closes: an open eye (dark
// iris on white sclera) against a closed one (skin and a lash line).
func TestEyeOpennessFallsWhenClosed(t *testing.T) {
	skin := color.RGBA{170, 140, 120, 0}
	draw := func(open bool) gocv.Mat {
		m := gocv.NewMatWithSize(200, 300, gocv.MatTypeCV8UC3)
		m.SetTo(gocv.NewScalar(float64(skin.B), float64(skin.G), float64(skin.R), 0))
		for _, cx := range []int{110, 190} {
			if open {
				gocv.Ellipse(&m, image.Pt(cx, 100), image.Pt(16, 8), 0, 0, 360, color.RGBA{235, 235, 230, 0}, -1)
				gocv.Circle(&m, image.Pt(cx, 100), 7, color.RGBA{60, 40, 30, 0}, -1)
				gocv.Circle(&m, image.Pt(cx, 100), 3, color.RGBA{10, 10, 10, 0}, -1)
			} else {
				gocv.Line(&m, image.Pt(cx-15, 103), image.Pt(cx+15, 103), color.RGBA{70, 50, 40, 0}, 2)
			}
		}
		return m
	}
	g := newCascadeGeometry()
	defer g.close()
	var v [2]float64
	for i, open := range []bool{true, false} {
		m := draw(open)
		o, ok := g.openness(m, image.Pt(110, 100), 80)
		if _, small := g.openness(m, image.Pt(110, 100), minEyeDistance-1); small {
			t.Error("openness judged below the least eye distance")
		}
		m.Close()
		if !ok {
			t.Fatal("openness not measured")
		}
		v[i] = o
	}
	if !(v[1] < DefaultOpts().BlinkClosedRatio*v[0]) {
		t.Errorf("openness open %.3f, closed %.3f; closed should be below %.2f of open", v[0], v[1], DefaultOpts().BlinkClosedRatio)
	}
}

func TestNextSequenceAvoidsThePrevious(t *testing.T) {
	set := DefaultOpts().Challenges
	for i := 0; i < 50; i++ {
		prev := []Challenge{Blink, Smile}
		seq, err := NextSequence(set, prev, 2, nil)
		if err != nil || len(seq) != 2 {
			t.Fatalf("NextSequence = %v, %v", seq, err)
		}
		for _, c := range seq {
			if slices.Contains(prev, c) {
				t.Fatalf("second attempt %v repeats a first-attempt challenge %v", seq, prev)
			}
		}
	}
	// A set too small to avoid every repeat still yields n challenges.
	seq, err := NextSequence([]Challenge{Blink, Smile, TurnLeft}, []Challenge{Blink, Smile}, 2, nil)
	if err != nil || len(seq) != 2 || seq[0] != TurnLeft {
		t.Errorf("small set: %v, %v; want turn_left first, then one repeat", seq, err)
	}
}

func TestFollowFraction(t *testing.T) {
	H := [9]float64{1.1, 0, 5, 0, 1.1, 3, 0, 0, 1} // the face zooms and shifts
	var a, follow, still [][2]float64
	for i := 0; i < 20; i++ {
		p := [2]float64{float64(10 * i), float64(200 - 7*i)}
		q, _ := applyH(H, p)
		a, follow, still = append(a, p), append(follow, q), append(still, p)
	}
	if f := followFraction(H, a, follow, 10); f < 0.9 {
		t.Errorf("a surround carried by the face's plane follows %.2f; want ~1", f)
	}
	if f := followFraction(H, a, still, 10); f > 0.1 {
		t.Errorf("a static room follows %.2f; want ~0", f)
	}
}

func TestZoomDominated(t *testing.T) {
	var a, zoom, slide [][2]float64
	for i := 0; i < 16; i++ {
		p := [2]float64{100 + float64(10*(i%4)), 100 + float64(10*(i/4))}
		a = append(a, p)
		zoom = append(zoom, [2]float64{115 + 1.2*(p[0]-115), 115 + 1.2*(p[1]-115) + 1})
		slide = append(slide, [2]float64{p[0] + 8, p[1] + 2})
	}
	if !zoomDominated(a, zoom) {
		t.Error("a face growing in place was not seen as an approach")
	}
	if zoomDominated(a, slide) {
		t.Error("a face sliding across the image was seen as an approach")
	}
}

func TestSmileFromMouthGeometry(t *testing.T) {
	o := DefaultOpts()
	run := func(widths, opens []float64) bool {
		var s smileState
		for i := range widths {
			g := FaceGeometry{OK: true, MouthOK: true, MouthWidth: widths[i], MouthOpen: opens[i]}
			if s.feed(&g, o) {
				return true
			}
		}
		return false
	}
	neutral, wide := repeat(0.55, 5), repeat(0.66, 3)
	if !run(slices.Concat(neutral, wide), repeat(0.05, 8)) {
		t.Error("a mouth widening by 20% for three frames is a smile")
	}
	if run(slices.Concat(neutral, repeat(0.57, 10)), repeat(0.05, 15)) {
		t.Error("a 4% width change is not a smile")
	}
	if run(repeat(0.55, 15), slices.Concat(repeat(0.05, 5), repeat(0.4, 10))) {
		t.Error("an open mouth (talking) is not a smile")
	}
}

// turnRun feeds a turn step from a relative pose source (the face mesh)
// with one yaw per frame; skipped frames are nil. No cascade runs: a
// relative source's misses are not handed to the profile cascade.
func turnRun(ch Challenge, yaws []*float64) bool {
	v := &verifier{o: DefaultOpts()}
	s := &step{ch: ch}
	obs := faceObs()
	for _, y := range yaws {
		g := FaceGeometry{Skipped: true}
		if y != nil {
			g = FaceGeometry{OK: true, Relative: true, PoseOK: true, Yaw: *y}
		}
		if v.feed(s, gocv.Mat{}, &obs, &g) {
			return true
		}
	}
	return false
}

func yawSeq(vs ...float64) []*float64 {
	out := make([]*float64, len(vs))
	for i := range vs {
		out[i] = &vs[i]
	}
	return out
}

// TestTurnRelative: a landmark yaw is judged by its change from the step's
// start, in the asked direction (turn_left: the citizen's left, positive
// yaw on an unmirrored camera), so a camera mounted off-axis (frontal
// reading -8 degrees) neither passes nor blocks a turn.
func TestTurnRelative(t *testing.T) {
	cases := []struct {
		name string
		ch   Challenge
		yaws []*float64
		want bool
	}{
		{"left from an off-axis frontal", TurnLeft, yawSeq(-8, -8, -7, -3, 1, 3, 4), true},
		{"left asked, turned right", TurnLeft, yawSeq(-8, -8, -7, -14, -19, -20, -21), false},
		{"right asked, turned right", TurnRight, yawSeq(5, 5, 6, 0, -6, -7), true},
		{"one frame over is noise", TurnLeft, yawSeq(0, 0, 0, 12, 0, 1, 0), false},
		{"jitter of 6 degrees", TurnRight, yawSeq(0, 1, 0, -6, 5, -5, 6, -6), false},
		{"already turned at the start, no further", TurnLeft, yawSeq(14, 15, 14, 16, 17, 15), false},
	}
	for _, c := range cases {
		if got := turnRun(c.ch, c.yaws); got != c.want {
			t.Errorf("%s: passed=%v; want %v", c.name, got, c.want)
		}
	}
}

// TestTurnWaitsThroughSkippedFrames: frames the mesh skips neither count
// nor reset a turn, and a skipped frame is not a measured one for the
// baseline.
func TestTurnWaitsThroughSkippedFrames(t *testing.T) {
	seq := yawSeq(0, 0, 0, 12, 12)
	withGaps := []*float64{seq[0], nil, seq[1], nil, seq[2], nil, seq[3], nil, nil, seq[4]}
	if !turnRun(TurnLeft, withGaps) {
		t.Error("a turn with skipped frames between its measures did not pass")
	}
	if turnRun(TurnLeft, []*float64{seq[0], nil, nil, nil, nil, nil, nil}) {
		t.Error("skipped frames passed a turn")
	}
}

// TestSmileWaitsThroughSkippedFrames: a mesh-measured smile is three
// measured frames in a row; skipped frames between them do not break the
// run nor fall back to the smile cascade.
func TestSmileWaitsThroughSkippedFrames(t *testing.T) {
	v := &verifier{o: DefaultOpts()}
	s := &step{ch: Smile}
	obs := faceObs()
	widths := []float64{1, 1, 1, 1, 1, 1.2, 0, 1.2, 0, 1.2}
	for i, w := range widths {
		g := FaceGeometry{OK: true, Relative: true, MouthOK: true, MouthWidth: w}
		if w == 0 {
			g = FaceGeometry{Skipped: true}
		}
		if v.feed(s, gocv.Mat{}, &obs, &g) != (i == len(widths)-1) {
			t.Fatalf("frame %d: done=%v", i, s.done)
		}
	}
}

func faceObs() face.Observation {
	return face.Observation{Found: true, Box: image.Rect(100, 100, 300, 300), Time: time.Unix(0, 0)}
}
