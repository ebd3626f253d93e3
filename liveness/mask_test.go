package liveness

import (
	"image"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/ventanilla-mx/ventanilla/capture/face"
	"gocv.io/x/gocv"
)

// maskRun feeds a 100 px face of 64 tracked points (an 8x8 grid 12 px
// apart; rows 2 and 3 lie in the eye zones) for n frames. The whole face moves by
// move(i) with tracking error as in deformRun; the eye rows move down by
// eyes(i) pixels (lids, or live eyes behind a cut-out); the bottom two
// rows (mouth and jaw) by mouth(i). It returns the deformation with and
// without the eyes.
func maskRun(n int, move func(i int) (dx, dy float64), eyes, mouth func(i int) float64) (all, outside float64) {
	rng := rand.New(rand.NewPCG(5, 6))
	var w deformWindow
	for i := range n {
		dx, dy := move(i)
		sx, sy := move(i / 12 * 12)
		e := 0.2 + 0.05*math.Hypot(dx-sx, dy-sy)
		obs := face.Observation{Found: true, Box: image.Rect(100, 100, 200, 200), Time: time.Unix(0, int64(i)*4e7)}
		for k := range 64 {
			row := k / 8
			x, y := 108+float64(k%8)*12, 108+float64(row)*12
			switch row {
			case 2, 3:
				y += eyes(i)
			case 5, 6:
				y += mouth(i)
			}
			x += dx + e*rng.NormFloat64()
			y += dy + e*rng.NormFloat64()
			obs.Points = append(obs.Points, face.Point{ID: uint32(k), X: float32(x), Y: float32(y), Region: face.RegionFace})
		}
		w.feed(&obs, 12)
	}
	all, _ = w.score()
	outside, _ = w.out.score()
	return all, outside
}

// A sheet with live eyes behind its holes deforms (the eyes) but not
// outside the eyes; a face that talks deforms outside them too. The mask
// reads as alive with the eyes counted (deformation ≥ MinDeform, the
// evidence before this cue).
func TestMaskWithLiveEyesIsRigidOutsideTheEyes(t *testing.T) {
	minD := DefaultOpts().MinDeform
	sway := func(i int) (float64, float64) {
		return 20 * math.Sin(2*math.Pi*float64(i)/60), 6 * math.Cos(2*math.Pi*float64(i)/45)
	}
	blinks := func(i int) float64 {
		if i%40 >= 30 && i%40 < 34 {
			return 6
		}
		return 0
	}
	talks := func(i int) float64 { return 4 * math.Max(0, math.Sin(2*math.Pi*float64(i)/15)) }
	none := func(int) float64 { return 0 }
	for _, c := range []struct {
		name             string
		eyes, mouth      func(int) float64
		liveAll, liveOut bool
	}{
		{"mask, eyes blinking through the holes", blinks, none, true, false},
		{"face blinking and talking", blinks, talks, true, true},
		{"face talking, no blink", none, talks, true, true},
	} {
		all, out := maskRun(180, sway, c.eyes, c.mouth)
		if (all >= minD) != c.liveAll || (out >= minD) != c.liveOut {
			t.Errorf("%s: deformation %.4f, outside the eyes %.4f; want live %v, %v (threshold %g)",
				c.name, all, out, c.liveAll, c.liveOut, minD)
		}
	}
}

// The passive verdict reads its evidence outside the eyes: a face whose
// only non-rigid part is its eyes is UNCERTAIN, never LIVE.
func TestPassiveEvidenceIgnoresTheEyes(t *testing.T) {
	c := judged(nil, 0)
	c.deform.scores = []float64{0.03, 0.04, 0.05}
	c.deform.out.scores = []float64{0.001, 0.002, -0.001}
	if d := c.PassiveDecision(); d.Verdict != Uncertain || d.Reason != ReasonNoEvidence {
		t.Fatalf("eyes alone deform: %s; want UNCERTAIN(no_liveness_evidence)\n%s", d, d.Explain())
	}
	c.deform.out.scores = append(c.deform.out.scores, 0.03, 0.04)
	if d := c.PassiveDecision(); d.Verdict != Live {
		t.Fatalf("deforming outside the eyes: %s; want LIVE\n%s", d, d.Explain())
	}
}

// BenchmarkPresentationCuesVsStatic measures, in the same run, the static
// cues on gocv's face.jpg (the baseline, every 3rd frame), one
// outside-the-eyes measurement (an LMedS homography on the points outside
// the eye zones, every 3rd frame), the dark floor (part of the static
// cues) and the judder meter per frame (a median step of the face points). CPU time per op (getrusage). Run on one core:
// GOMAXPROCS=1 OPENCV_FOR_THREADS_NUM=1 taskset -c 0.
func BenchmarkPresentationCuesVsStatic(b *testing.B) {
	src := loadFace(b)
	defer src.Close()
	obs := make([]face.Observation, 12)
	rng := rand.New(rand.NewPCG(3, 4))
	prev := map[uint32][2]float32{}
	for i := range obs {
		obs[i] = face.Observation{Found: true, Box: faceBox, Prev: map[uint32][2]float32{}}
		for k := range 40 {
			x := float64(faceBox.Min.X) + float64(k%8)*float64(faceBox.Dx())/8 + float64(i) + rng.NormFloat64()
			y := float64(faceBox.Min.Y) + float64(k/8)*float64(faceBox.Dy())/5 + rng.NormFloat64()
			p := face.Point{ID: uint32(k), X: float32(x), Y: float32(y)}
			if q, ok := prev[p.ID]; ok {
				obs[i].Prev[p.ID] = q
			}
			prev[p.ID] = [2]float32{p.X, p.Y}
			obs[i].Points = append(obs[i].Points, p)
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
	b.Run("outside_eyes_measure", func(b *testing.B) {
		var w deformWindow
		w.reanchor(&obs[0])
		c0 := cpuTime(b)
		for i := 0; i < b.N; i++ {
			w.out.measure(w.anchor, &obs[1+i%11])
		}
		reportCPU(b, c0)
		if !w.out.measured {
			b.Fatal("not measured")
		}
	})
	b.Run("dark_floor", func(b *testing.B) { // inside static_cues, every 3rd frame
		g, small := gocv.NewMat(), gocv.NewMat()
		defer g.Close()
		defer small.Close()
		sub := src.Region(faceBox)
		gocv.CvtColor(sub, &g, gocv.ColorBGRToGray)
		sub.Close()
		gocv.Resize(g, &small, image.Pt(specN, specN), 0, 0, gocv.InterpolationArea)
		c0 := cpuTime(b)
		for i := 0; i < b.N; i++ {
			darkFloor(small)
		}
		reportCPU(b, c0)
	})
	b.Run("judder_per_frame", func(b *testing.B) {
		var j judderMeter
		c0 := cpuTime(b)
		for i := 0; i < b.N; i++ {
			j.feed(&obs[1+i%11])
		}
		reportCPU(b, c0)
	})
}

// darkFloor reads a raised black (a screen's or a print's) as a higher
// ratio than the same picture with its dark tones intact.
func TestDarkFloorSeesARaisedBlack(t *testing.T) {
	face := gocv.NewMatWithSize(64, 64, gocv.MatTypeCV8U)
	defer face.Close()
	v, _ := face.DataPtrUint8()
	for i := range v {
		v[i] = uint8(40 + i%160) // skin tones 40..199
	}
	for i := 0; i < len(v)/20; i++ {
		v[i*20] = 4 // pupils, nostrils: 5 % of the pixels near black
	}
	live := darkFloor(face)
	for i := range v {
		v[i] = uint8(30 + float64(v[i])*0.8) // the same on a screen: black at 30
	}
	if screen := darkFloor(face); screen <= 2*live {
		t.Errorf("dark floor: live %.3f, raised black %.3f; want the raised one more than twice", live, screen)
	}
}
