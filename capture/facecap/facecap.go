package facecap

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/ventanilla-mx/ventanilla/capture/camhub"
	"github.com/ventanilla-mx/ventanilla/capture/face"
	"github.com/ventanilla-mx/ventanilla/drivers/camera"
	"github.com/ventanilla-mx/ventanilla/liveness"
	"github.com/ventanilla-mx/ventanilla/session"
)

// SettleFrames is how many frames in a row must pass the quality gate
// before the liveness check starts: the challenge clock starts only once
// the citizen is in place.
const SettleFrames = 3

// MaxChecks bounds the checks of one capture that end LIVE without a
// frame good enough for the photo (each asks new challenges).
const MaxChecks = 3

// ErrNoShot: the face was live but no frame of the check passed the
// quality gate; the citizen may retry.
var ErrNoShot = fmt.Errorf("face: live, but no frame of the check passed the quality gate (light, distance?): %w", session.ErrQuality)

// Hooks observe a capture for metrics and health. Their methods are called
// from the capture's goroutine and must not block. They receive no image
// and no identity.
type Hooks interface {
	// Frame: one frame analysed in d (detection or tracking, gate, cues).
	Frame(d time.Duration)
	// Decided: a liveness check decided (one per check).
	Decided(d *liveness.Decision)
	// ModelsFailed: the detection or liveness models could not be loaded.
	ModelsFailed(err error)
}

// Options configure the face capture.
type Options struct {
	Face     *face.Opts
	Liveness *liveness.Opts
	// Passive runs no challenges (only allowed with a replayed camera).
	Passive bool
	// Alloc holds the best-shot JPEG (locked memory in the daemon).
	Alloc session.Allocator
	// Hooks may be nil.
	Hooks Hooks
}

// Capturer is the camera, the face quality gate and liveness as the
// session's face port. One capture: position the face (quality prompts),
// then run the liveness check on a fresh track (challenge prompts), then,
// for a live face only, encode the best frame of the check into memory
// from Options.Alloc. Every frame is wiped when processed; the analyzer
// and the check wipe their buffers when closed.
type Capturer struct {
	hub *camhub.Hub
	o   Options
}

var _ session.FaceCapturer = (*Capturer)(nil)

// New returns the face capture over the camera hub.
func New(hub *camhub.Hub, o Options) *Capturer {
	if o.Hooks == nil {
		o.Hooks = nopHooks{}
	}
	return &Capturer{hub: hub, o: o}
}

type nopHooks struct{}

func (nopHooks) Frame(time.Duration)        {}
func (nopHooks) Decided(*liveness.Decision) {}
func (nopHooks) ModelsFailed(error)         {}

// LoadModels loads (and closes) what a capture loads, so a broken install
// shows at start rather than in front of a citizen.
func LoadModels(fo *face.Opts, lo *liveness.Opts) error {
	an, err := face.New(fo)
	if err != nil {
		return err
	}
	an.Close()
	chk, err := liveness.NewCheck(lo, nil)
	if err != nil {
		return err
	}
	chk.Close()
	return nil
}

// CaptureFace implements session.FaceCapturer.
func (c *Capturer) CaptureFace(ctx context.Context, prompt func(session.Prompt)) (*session.FaceResult, error) {
	r, err := c.start(prompt, c.randomSequence)
	if err != nil {
		return nil, err
	}
	defer r.close()
	return r.run(ctx)
}

func (c *Capturer) randomSequence() ([]liveness.Challenge, error) {
	if c.o.Passive {
		return nil, nil
	}
	return liveness.RandomSequence(c.o.Liveness.Challenges, c.o.Liveness.Steps, nil)
}

// start loads the analyzer and joins the camera.
func (c *Capturer) start(prompt func(session.Prompt), seq func() ([]liveness.Challenge, error)) (*faceRun, error) {
	an, err := face.New(c.o.Face)
	if err != nil {
		c.o.Hooks.ModelsFailed(err)
		return nil, fmt.Errorf("face: %w: %w", session.ErrDevice, err)
	}
	t, err := c.hub.Acquire(0, 0)
	if err != nil {
		an.Close()
		return nil, fmt.Errorf("face: camera: %w: %w", session.ErrDevice, err)
	}
	return &faceRun{c: c, t: t, an: an, p: &prompter{send: prompt}, seq: seq}, nil
}

// faceRun is one capture in progress.
type faceRun struct {
	c   *Capturer
	t   *camhub.Tap
	an  *face.Analyzer
	p   *prompter
	seq func() ([]liveness.Challenge, error)

	decideAtEnd bool // a replay's end decides the check (evaluation)
	frames      int
	last        *liveness.Decision
	passive     liveness.Decision
}

func (r *faceRun) close() {
	r.c.hub.Release(r.t)
	r.an.Close()
}

// run repeats the check while it ends live without a photo.
func (r *faceRun) run(ctx context.Context) (*session.FaceResult, error) {
	for check := 1; ; check++ {
		res, err := r.once(ctx)
		if !errors.Is(err, ErrNoShot) || check == MaxChecks {
			return res, err
		}
	}
}

// once positions the face, runs one liveness check and makes the result.
func (r *faceRun) once(ctx context.Context) (*session.FaceResult, error) {
	seq, err := r.seq()
	if err != nil {
		return nil, err
	}
	d, err := r.position(ctx)
	if err == nil && d == nil {
		d, seq, err = r.attempts(ctx, seq)
	}
	if err != nil {
		return nil, err
	}
	return r.finish(ctx, d, len(seq))
}

// attempts runs the liveness check and, when it ends UNCERTAIN, one more
// attempt with challenges the citizen was not asked before (the second
// chance of docs/liveness.md). LIVE and SPOOF are final. The decision is
// the last attempt's; seq is the sequence that attempt asked.
func (r *faceRun) attempts(ctx context.Context, seq []liveness.Challenge) (*liveness.Decision, []liveness.Challenge, error) {
	d, err := r.check(ctx, seq)
	if err != nil || !secondChance(d, seq, r.decideAtEnd) {
		return d, seq, err
	}
	lo := r.c.o.Liveness
	next, err := liveness.NextSequence(lo.Challenges, seq, lo.Steps, nil)
	if err != nil {
		return nil, nil, err
	}
	r.p.show(session.Prompt{Code: "liveness.look", Message: "Intentemos de nuevo. Mire a la cámara."})
	d, err = r.check(ctx, next)
	return d, next, err
}

// secondChance: an UNCERTAIN challenge attempt is retried once. A passive
// check (no challenges) and a replay decided at its end (evaluation, which
// scores the retry itself) are not.
func secondChance(d *liveness.Decision, seq []liveness.Challenge, decideAtEnd bool) bool {
	return d.Verdict == liveness.Uncertain && len(seq) > 0 && !decideAtEnd
}

// next is the next frame; a camera failure is session.ErrDevice.
func (r *faceRun) next(ctx context.Context) (*camera.Frame, error) {
	fr, err := r.t.Next(ctx)
	switch {
	case ctx.Err() != nil:
		fr.Release()
		return nil, ctx.Err()
	case err != nil:
		return nil, fmt.Errorf("face: camera: %w: %w", session.ErrDevice, err)
	}
	return fr, nil
}

// process runs the analyzer (and the check, when there is one) on a frame
// and wipes it.
func (r *faceRun) process(fr *camera.Frame, chk *liveness.Check) (face.Observation, liveness.Status) {
	start := time.Now()
	obs := r.an.Process(fr.Mat, fr.Time)
	var st liveness.Status
	if chk != nil {
		st = chk.Feed(fr.Mat, &obs)
	}
	fr.Release()
	r.frames++
	r.c.o.Hooks.Frame(time.Since(start))
	return obs, st
}

// position prompts quality feedback until the face passes the gate
// SettleFrames times in a row. A frozen stream (an injected still image)
// ends the capture there with SPOOF(frozen_stream).
func (r *faceRun) position(ctx context.Context) (*liveness.Decision, error) {
	lo := r.c.o.Liveness
	ok, still := 0, 0
	for ok < SettleFrames {
		fr, err := r.next(ctx)
		if err != nil {
			return nil, err
		}
		obs, _ := r.process(fr, nil)
		r.p.quality(obs.Quality.Code)
		if obs.FrameDiff >= 0 && obs.FrameDiff < lo.FrozenDiff {
			still++
		} else {
			still = 0
		}
		if still >= lo.FrozenFrames {
			d := frozenDecision(still, lo.FrozenFrames)
			r.passive = *d
			return d, nil
		}
		if obs.Quality.Code == face.OK {
			ok++
		} else {
			ok = 0
		}
	}
	return nil, nil
}

func frozenDecision(still, limit int) *liveness.Decision {
	return &liveness.Decision{Verdict: liveness.Spoof, Reason: liveness.ReasonFrozen, Passive: true,
		Scores:     map[string]float64{liveness.CueFrozen: float64(still)},
		Thresholds: map[string]string{liveness.CueFrozen: fmt.Sprintf("< %d", limit)}}
}

// check runs the liveness check until it decides. The analyzer starts a
// fresh track so the best shot comes from the frames the check judged.
func (r *faceRun) check(ctx context.Context, seq []liveness.Challenge) (*liveness.Decision, error) {
	chk, err := liveness.NewCheck(r.c.o.Liveness, seq)
	if err != nil {
		r.c.o.Hooks.ModelsFailed(err)
		return nil, fmt.Errorf("face: %w: %w", session.ErrDevice, err)
	}
	defer chk.Close()
	r.an.Reset()
	var st liveness.Status
	for {
		r.an.SetPlan(chk.Plan(st))
		fr, err := r.next(ctx)
		if r.decideAtEnd && errors.Is(err, io.EOF) {
			return r.decided(chk), nil
		}
		if err != nil {
			return nil, err
		}
		var obs face.Observation
		obs, st = r.process(fr, chk)
		if st.Done {
			return r.decided(chk), nil
		}
		r.p.during(st, obs.Quality.Code)
	}
}

func (r *faceRun) decided(chk *liveness.Check) *liveness.Decision {
	d := chk.Decision()
	r.passive = chk.PassiveDecision()
	return &d
}

// finish turns the decision into the session's result: for a live face,
// the best shot in locked memory (the engine's from then on).
func (r *faceRun) finish(ctx context.Context, d *liveness.Decision, steps int) (*session.FaceResult, error) {
	r.last = d
	r.c.o.Hooks.Decided(d)
	res := &session.FaceResult{Liveness: Summary(d, steps)}
	if d.Verdict != liveness.Live {
		return res, nil
	}
	var buf session.Secret
	_, err := r.an.BestShot(func(n int) ([]byte, error) {
		b, err := r.c.o.Alloc.Alloc(n)
		if err != nil {
			return nil, err
		}
		buf = b
		return b.Bytes(), nil
	})
	if err == nil && ctx.Err() != nil {
		err = ctx.Err()
	}
	if err != nil {
		if buf != nil {
			buf.Release()
		}
		if errors.Is(err, face.ErrNoShot) {
			return nil, ErrNoShot
		}
		return nil, err
	}
	res.JPEG = buf
	return res, nil
}
