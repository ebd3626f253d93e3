package liveness

import (
	"image"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/ventanilla-mx/ventanilla/capture/face"
)

// judderRun feeds n frames of a 100 px face of 30 points whose position at
// frame i is pos(i) (pixels), with 0.05 px of tracking noise per point,
// and returns the judder cue.
func judderRun(n int, pos func(i int) (x, y float64)) (float64, bool) {
	rng := rand.New(rand.NewPCG(7, 8))
	var j judderMeter
	prev := map[uint32][2]float32{}
	for i := range n {
		x, y := pos(i)
		obs := face.Observation{Found: true, Box: image.Rect(100, 100, 200, 200), Time: time.Unix(0, int64(i)*33e6), Prev: map[uint32][2]float32{}}
		for k := range 30 {
			p := face.Point{ID: uint32(k), Region: face.RegionFace,
				X: float32(110 + float64(k%6)*16 + x + 0.05*rng.NormFloat64()),
				Y: float32(110 + float64(k/6)*16 + y + 0.05*rng.NormFloat64())}
			if q, ok := prev[p.ID]; ok {
				obs.Prev[p.ID] = q
			}
			prev[p.ID] = [2]float32{p.X, p.Y}
			obs.Points = append(obs.Points, p)
		}
		j.feed(&obs)
	}
	return j.score()
}

// A head turning in a 25 fps recording filmed at 30 fps stops for one
// camera frame in six; a living head turning, nodding (reversing) or
// still does not.
func TestJudderSeparatesRateConversionFromAHead(t *testing.T) {
	const maxJ = 0.1
	turn := func(t float64) float64 { return 40 * math.Sin(2*math.Pi*t/3) } // a 3 s turn and back, 40 px
	live := func(i int) (float64, float64) { return turn(float64(i) / 30), 0 }
	replay := func(i int) (float64, float64) { // source frame floor(i*25/30), shown at 25 fps
		return turn(math.Floor(float64(i)*25/30) / 25), 0
	}
	nod := func(i int) (float64, float64) { return 0, 8 * math.Sin(2*math.Pi*float64(i)/20) }
	for _, c := range []struct {
		name  string
		pos   func(int) (float64, float64)
		spoof bool
	}{
		{"live head turning", live, false},
		{"live head nodding quickly", nod, false},
		{"25 fps recording under a 30 fps camera", replay, true},
	} {
		v, ok := judderRun(150, c.pos)
		if !ok {
			t.Fatalf("%s: not measured", c.name)
		}
		if (v > maxJ) != c.spoof {
			t.Errorf("%s: judder %.3f, spoof=%v; want %v (threshold %g)", c.name, v, v > maxJ, c.spoof, maxJ)
		}
	}
	if _, ok := judderRun(150, func(int) (float64, float64) { return 0, 0 }); ok {
		t.Error("a still face measured judder (no steady motion to judge)")
	}
}

// A judder above a set threshold is SPOOF(judder) in both verdicts; the
// default only measures it.
func TestJudderConvicts(t *testing.T) {
	c := judged([]Challenge{TurnLeft}, 1)
	c.motion.parallax = []float64{0.02}
	c.motion.parInner = []float64{0.02}
	c.deform.out.scores = []float64{0.03}
	if d := c.Decision(); d.Verdict != Live {
		t.Fatalf("without judder: %s; want LIVE\n%s", d, d.Explain())
	}
	c.judder = judderMeter{triples: 40, stalls: 8}
	if d := c.Decision(); d.Verdict != Live {
		t.Fatalf("judder 0.2 at the default (measured only): %s; want LIVE", d)
	}
	c.o.MaxJudder = 0.1
	if d := c.Decision(); d.Verdict != Spoof || d.Reason != CueJudder {
		t.Errorf("full: %s; want SPOOF(judder)", d)
	}
	if d := c.PassiveDecision(); d.Verdict != Spoof || d.Reason != CueJudder {
		t.Errorf("passive: %s; want SPOOF(judder)", d)
	}
}
