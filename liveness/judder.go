package liveness

import (
	"fmt"
	"math"

	"github.com/ventanilla-mx/ventanilla/capture/face"
)

// CueJudder is the share of the face's steady motion in which the face
// stood still for exactly one frame: over every three consecutive frames
// in which the face moved on both sides in the same direction (its median
// point step, frame to frame, at least judderMinStep of the face width,
// the two steps less than 60 degrees apart), the middle step is a stall
// when it is under judderStall of the smaller of the two.
//
// Why: a screen shows a recording at the recording's frame rate and holds
// each frame until the next; a camera filming it at another rate (a 25 or
// 24 fps video under a 30 fps camera, or a player that paces frames
// unevenly) sees the same picture twice, again and again, so a head that
// turns or approaches in the recording stops dead for one camera frame
// every few frames and then jumps on. A living head has mass: it cannot
// stop for 33 ms in the middle of a movement and resume at full speed,
// and a camera delivers each exposure once. The screen's stand, its size,
// its pixel grid and the room do not matter. It does not see a replay
// whose frame rate and pacing match the camera's (then no picture is
// shown twice), nor an attack that does not move. Higher is more
// replay-like; the threshold is a maximum (Opts.MaxJudder), off by
// default: compressed recordings of genuine faces stall as well.
const CueJudder = "judder"

// judderMinStep: a step smaller than this (fraction of the face width) is
// within the tracker's noise and cannot show a stall.
const judderMinStep = 0.004

// judderStall: a middle step under this part of its neighbours' is a stall
// (a repeated picture moves the points by tracking noise only).
const judderStall = 0.3

// judderMinTriples: the least number of steady-motion triples for the
// score to be measured.
const judderMinTriples = 8

type judderMeter struct {
	steps   [3][2]float64 // the last frame-to-frame face steps, oldest first
	have    int
	triples int
	stalls  int
}

// feed takes the face points' step from the previous frame.
func (j *judderMeter) feed(obs *face.Observation) {
	step, ok := faceStep(obs)
	if !ok {
		j.have = 0
		return
	}
	j.steps[0], j.steps[1], j.steps[2] = j.steps[1], j.steps[2], step
	j.have = min(j.have+1, 3)
	if j.have < 3 {
		return
	}
	a, m, b := math.Hypot(j.steps[0][0], j.steps[0][1]), math.Hypot(j.steps[1][0], j.steps[1][1]), math.Hypot(j.steps[2][0], j.steps[2][1])
	lo := math.Min(a, b)
	if lo < judderMinStep*float64(obs.Box.Dx()) {
		return
	}
	if (j.steps[0][0]*j.steps[2][0]+j.steps[0][1]*j.steps[2][1])/(a*b) < 0.5 {
		return // the head reversed: a slow middle step is ordinary
	}
	j.triples++
	if m < judderStall*lo {
		j.stalls++
	}
}

// faceStep is the median step of the face points tracked from the
// previous frame (frame pixels).
func faceStep(obs *face.Observation) ([2]float64, bool) {
	if !obs.Found || obs.Box.Dx() <= 0 {
		return [2]float64{}, false
	}
	var dx, dy []float64
	for _, p := range obs.Points {
		if p.Region != face.RegionFace {
			continue
		}
		if x, y, ok := obs.PrevOf(p); ok {
			dx, dy = append(dx, float64(p.X-x)), append(dy, float64(p.Y-y))
		}
	}
	if len(dx) < 8 {
		return [2]float64{}, false
	}
	return [2]float64{median(dx), median(dy)}, true
}

// score is the share of stalls, when enough steady motion was seen.
func (j *judderMeter) score() (float64, bool) {
	if j.triples < judderMinTriples {
		return 0, false
	}
	return float64(j.stalls) / float64(j.triples), true
}

func judderThreshold(v float64) string {
	if v <= 0 {
		return "measured only"
	}
	return fmt.Sprintf("<= %g", v)
}
