package liveness

import "time"

// Opts are the liveness thresholds and challenge settings. The daemon maps
// them to configuration; zero fields take the DefaultOpts value.
type Opts struct {
	// Challenges is the set a random sequence is drawn from; Steps is its
	// length (distinct challenges); StepTimeout bounds each step.
	Challenges  []Challenge
	Steps       int
	StepTimeout time.Duration
	// PassiveFrames is the least number of frames with a face the static
	// cues need.
	PassiveFrames int
	// StaticEvery computes the static cues on every Nth frame with a face
	// (the first included); they are aggregated by median, and a face does
	// not change its texture from one frame to the next.
	StaticEvery int

	// Static thresholds (see the Cue* constants).
	MaxMoire        float64
	MaxPrintTexture float64
	MinColour       float64
	MaxGlare        float64
	MaxBorderSides  float64
	MaxBlur         float64

	// Dynamic thresholds.
	MinParallax float64 // fraction of face width
	// MaxSurround: median motion of the surround points (beyond the head)
	// over the face's motion; a live citizen's room stands still.
	MaxSurround float64
	MinMotion   float64 // face motion, fraction of face width, for a window to count
	// MaxFollow: with a planar face, a surround that follows the face's
	// homography at least this much (fraction of its points) is the
	// medium's own surround: SPOOF(planar_motion); below, UNCERTAIN.
	MaxFollow    float64
	WindowFrames int // frames before a window without enough motion restarts
	// MinDeform: the passive verdict's least non-rigidity of the face
	// points (CueDeform, fraction of the face width) for LIVE; DeformFrames
	// is the length of its windows.
	MinDeform    float64
	DeformFrames int
	// MaxJudder: the largest share of steady face motion that may stall
	// for one frame (CueJudder); above it the face is a recording shown
	// at another frame rate: SPOOF(judder). 0 (the default) measures
	// without judging: compressed recordings of genuine faces stall too
	// (docs/liveness.md, session five).
	MaxJudder    float64
	FrozenDiff   float64 // mean grey difference below which two frames are "the same"
	FrozenFrames int     // that many identical frames in a row: a frozen stream

	// Challenge verification.
	TurnYaw float64 // degrees of eye-based yaw for a turn
	// TurnYawChange: degrees a landmark source's yaw must move from its
	// value at the step's start, in the asked direction, for a turn.
	TurnYawChange   float64
	MoveCloserRatio float64       // face width growth for "move closer"
	BlinkMaxClosed  time.Duration // longest eyes-closed spell that is a blink
	// BlinkClosedRatio and BlinkOpenRatio: eye openness over the person's
	// own open-eye baseline below which the eyes count as closed, and above
	// which as open again.
	BlinkClosedRatio float64
	BlinkOpenRatio   float64
	// SmileWidthGain: mouth width over its width at the step start for a
	// smile (mouth geometry sources only).
	SmileWidthGain float64
	MinBrightness  float64 // face darker than this: UNCERTAIN(too_dark)

	// CascadeDir holds haarcascade_smile.xml and haarcascade_profileface.xml.
	CascadeDir string
	// PADDir, when set, holds the learned anti-spoofing models (package
	// pad), scored on every PADEvery-th frame with a face. MinPADReal is
	// the least antispoof "real" probability; 0 measures without judging.
	// Not filled from the defaults: the scores did not earn their place on
	// the evaluation (docs/liveness.md), so the kiosk does not pay for them;
	// set PADDir (e.g. DefaultPADDir()) to measure them.
	PADDir     string
	PADEvery   int
	MinPADReal float64
	// LandmarkDir, when set, holds the face mesh (facemesh.json/.bin) that
	// measures yaw, eyelids and lips for the challenges instead of the
	// cascades. Not filled from the defaults: DefaultOpts finds it.
	LandmarkDir string
}

// DefaultOpts returns the defaults. The static thresholds are set so that
// the bona fide evaluation data passes with margin (docs/liveness.md); they
// are deliberately permissive, and the dynamic check carries the decision.
func DefaultOpts() *Opts {
	return &Opts{
		Challenges:    []Challenge{TurnLeft, TurnRight, Blink, Smile, MoveCloser},
		Steps:         2,
		StepTimeout:   7 * time.Second,
		PassiveFrames: 10,
		StaticEvery:   3,

		MaxMoire:        40,
		MaxPrintTexture: 0.02,
		MinColour:       15,
		MaxGlare:        0.08,
		MaxBorderSides:  2,
		MaxBlur:         0.9,

		MinParallax:  0.004,
		MaxSurround:  0.1,
		MinMotion:    0.025,
		MaxFollow:    0.3,
		WindowFrames: 30,
		MinDeform:    0.01,
		DeformFrames: 12,
		FrozenDiff:   0.01,
		FrozenFrames: 8,

		TurnYaw:          15,
		TurnYawChange:    10,
		MoveCloserRatio:  1.2,
		BlinkMaxClosed:   600 * time.Millisecond,
		BlinkClosedRatio: 0.8,
		BlinkOpenRatio:   0.92,
		SmileWidthGain:   1.12,
		MinBrightness:    40,
		CascadeDir:       "/usr/share/opencv4/haarcascades",
		LandmarkDir:      DefaultLandmarkDir(),
		PADEvery:         15,
	}
}

func (o *Opts) withDefaults() Opts {
	d := *DefaultOpts()
	if o == nil {
		return d
	}
	r := *o
	f := func(p *float64, v float64) {
		if *p == 0 {
			*p = v
		}
	}
	i := func(p *int, v int) {
		if *p == 0 {
			*p = v
		}
	}
	if r.Challenges == nil {
		r.Challenges = d.Challenges
	}
	i(&r.Steps, d.Steps)
	if r.StepTimeout == 0 {
		r.StepTimeout = d.StepTimeout
	}
	if r.BlinkMaxClosed == 0 {
		r.BlinkMaxClosed = d.BlinkMaxClosed
	}
	i(&r.PassiveFrames, d.PassiveFrames)
	i(&r.StaticEvery, d.StaticEvery)
	i(&r.PADEvery, d.PADEvery)
	i(&r.WindowFrames, d.WindowFrames)
	i(&r.DeformFrames, d.DeformFrames)
	i(&r.FrozenFrames, d.FrozenFrames)
	for _, p := range []struct {
		p *float64
		v float64
	}{{&r.MaxMoire, d.MaxMoire}, {&r.MaxPrintTexture, d.MaxPrintTexture}, {&r.MinColour, d.MinColour},
		{&r.MaxGlare, d.MaxGlare}, {&r.MaxBorderSides, d.MaxBorderSides}, {&r.MaxBlur, d.MaxBlur},
		{&r.MinParallax, d.MinParallax}, {&r.MaxSurround, d.MaxSurround}, {&r.MinMotion, d.MinMotion}, {&r.MaxFollow, d.MaxFollow}, {&r.MinDeform, d.MinDeform},
		{&r.FrozenDiff, d.FrozenDiff}, {&r.TurnYaw, d.TurnYaw}, {&r.MoveCloserRatio, d.MoveCloserRatio},
		{&r.MinBrightness, d.MinBrightness}, {&r.BlinkClosedRatio, d.BlinkClosedRatio},
		{&r.BlinkOpenRatio, d.BlinkOpenRatio}, {&r.SmileWidthGain, d.SmileWidthGain}} {
		f(p.p, p.v)
	}
	f(&r.TurnYawChange, d.TurnYawChange)
	if r.CascadeDir == "" {
		r.CascadeDir = d.CascadeDir
	}
	return r
}
