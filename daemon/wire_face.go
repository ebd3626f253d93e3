package daemon

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ventanilla-mx/ventanilla/capture/face"
	"github.com/ventanilla-mx/ventanilla/daemon/config"
	"github.com/ventanilla-mx/ventanilla/drivers/camera"
	"github.com/ventanilla-mx/ventanilla/health"
	"github.com/ventanilla-mx/ventanilla/liveness"
	"github.com/ventanilla-mx/ventanilla/secmem"
	"github.com/ventanilla-mx/ventanilla/session"
)

// settleFrames is how many frames in a row must pass the quality gate
// before the liveness check starts: the challenge clock starts only once
// the citizen is in place.
const settleFrames = 3

// faceCapture is the camera, the face quality gate and liveness as the
// session's face port. One capture: position the face (quality prompts),
// then run the liveness check on a fresh track (challenge prompts), then,
// for a live face only, encode the best frame of the check into locked
// memory. Every frame is wiped when processed; the analyzer and the check
// wipe their buffers when closed.
type faceCapture struct {
	hub     *camHub
	alloc   *secmem.Allocator
	fo      *face.Opts
	lo      *liveness.Opts
	passive bool // no challenges (camera.replay only)
	models  *health.Tracker
	m       *faceMetrics
}

var _ session.FaceCapturer = (*faceCapture)(nil)

// faceOpts maps the config to the face and liveness options.
func faceOpts(c *config.Config) (*face.Opts, *liveness.Opts) {
	fo := face.DefaultOpts()
	fo.CascadeDir, fo.DNNModel, fo.DNNConfig = c.Face.CascadeDir, c.Face.DNNModel, c.Face.DNNConfig
	fo.DetectEvery = c.Face.DetectEvery
	fo.Quality.MinEyeDistance = c.Face.MinEyeDistance
	fo.Geometry = face.TokenFrontal(c.Face.CropWidth)
	lo := liveness.DefaultOpts()
	lo.Challenges = nil
	for _, name := range c.Liveness.Challenges {
		ch, err := liveness.ParseChallenge(name)
		if err != nil { // the config is validated; this is a programming error
			panic(fmt.Sprintf("liveness: %v", err))
		}
		lo.Challenges = append(lo.Challenges, ch)
	}
	lo.Steps, lo.StepTimeout = c.Liveness.Steps, c.Liveness.StepTimeout.D()
	lo.CascadeDir = c.Face.CascadeDir
	return fo, lo
}

// wireFace sets the session's face port and preview when the detection
// and liveness models load.
func wireFace(s *System, hub *camHub, h *cameraHealth) {
	fo, lo := faceOpts(s.Config)
	passive := s.Config.PassiveLiveness()
	if passive {
		h.passive.Set("liveness.challenges = []")
	}
	if err := loadModels(fo, lo); err != nil {
		h.models.Set(err.Error())
		return
	}
	if s.secmem == nil {
		return // realPorts reports the missing locked memory
	}
	m := newFaceMetrics()
	s.Metrics.MustRegister(m.decisions, m.frame)
	s.faceCapture = &faceCapture{hub: hub, alloc: s.secmem, fo: fo, lo: lo, passive: passive, models: h.models, m: m}
	s.preview = &cameraPreview{hub: hub, alloc: s.secmem}
}

// loadModels loads (and closes) what a capture loads, so a broken install
// shows at start rather than in front of a citizen.
func loadModels(fo *face.Opts, lo *liveness.Opts) error {
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
func (f *faceCapture) CaptureFace(ctx context.Context, prompt func(session.Prompt)) (*session.FaceResult, error) {
	an, err := face.New(f.fo)
	if err != nil {
		f.models.Set(err.Error())
		return nil, fmt.Errorf("face: %w: %w", session.ErrDevice, err)
	}
	defer an.Close()
	t, err := f.hub.acquire(0, 0)
	if err != nil {
		return nil, fmt.Errorf("face: camera: %w: %w", session.ErrDevice, err)
	}
	defer f.hub.release(t)
	r := &faceRun{f: f, t: t, an: an, p: &prompter{send: prompt}}
	for check := 1; ; check++ {
		res, err := r.once(ctx)
		if !errors.Is(err, errNoShot) || check == maxChecks {
			return res, err
		}
	}
}

// maxChecks bounds the checks of one capture that end LIVE without a
// frame good enough for the photo (each asks new challenges).
const maxChecks = 3

var errNoShot = fmt.Errorf("face: live, but no frame of the check passed the quality gate (light, distance?): %w", session.ErrQuality)

// once positions the face, runs one liveness check and makes the result.
func (r *faceRun) once(ctx context.Context) (*session.FaceResult, error) {
	var seq []liveness.Challenge
	if !r.f.passive {
		var err error
		if seq, err = liveness.RandomSequence(r.f.lo.Challenges, r.f.lo.Steps, nil); err != nil {
			return nil, err
		}
	}
	d, err := r.position(ctx)
	if err == nil && d == nil {
		d, err = r.check(ctx, seq)
	}
	if err != nil {
		return nil, err
	}
	return r.finish(ctx, d, len(seq))
}

// faceRun is one capture in progress.
type faceRun struct {
	f  *faceCapture
	t  *tap
	an *face.Analyzer
	p  *prompter
}

// next is the next frame; a camera failure is session.ErrDevice.
func (r *faceRun) next(ctx context.Context) (*camera.Frame, error) {
	fr, err := r.t.next(ctx)
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
	r.f.m.frame.Observe(time.Since(start).Seconds())
	return obs, st
}

// position prompts quality feedback until the face passes the gate
// settleFrames times in a row. A frozen stream (an injected still image)
// ends the capture there with SPOOF(frozen_stream).
func (r *faceRun) position(ctx context.Context) (*liveness.Decision, error) {
	ok, still := 0, 0
	for ok < settleFrames {
		fr, err := r.next(ctx)
		if err != nil {
			return nil, err
		}
		obs, _ := r.process(fr, nil)
		r.p.quality(obs.Quality.Code)
		if obs.FrameDiff >= 0 && obs.FrameDiff < r.f.lo.FrozenDiff {
			still++
		} else {
			still = 0
		}
		if still >= r.f.lo.FrozenFrames {
			return frozenDecision(still, r.f.lo.FrozenFrames), nil
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
	chk, err := liveness.NewCheck(r.f.lo, seq)
	if err != nil {
		r.f.models.Set(err.Error())
		return nil, fmt.Errorf("face: %w: %w", session.ErrDevice, err)
	}
	defer chk.Close()
	r.an.Reset()
	var st liveness.Status
	for {
		r.an.SetEyesEvery(eyesEvery(seq, st))
		fr, err := r.next(ctx)
		if err != nil {
			return nil, err
		}
		var obs face.Observation
		obs, st = r.process(fr, chk)
		if st.Done {
			d := chk.Decision()
			return &d, nil
		}
		r.p.during(st, obs.Quality.Code)
	}
}

// eyesEvery: the eyes are searched on every frame while a blink is being
// judged, and every face.Opts.EyesEvery frames otherwise (0).
func eyesEvery(seq []liveness.Challenge, st liveness.Status) int {
	if st.Step < len(seq) && seq[st.Step] == liveness.Blink {
		return 1
	}
	return 0
}

// finish turns the decision into the session's result: for a live face,
// the best shot in locked memory (the engine's from then on).
func (r *faceRun) finish(ctx context.Context, d *liveness.Decision, steps int) (*session.FaceResult, error) {
	r.f.m.decided(d)
	res := &session.FaceResult{Liveness: livenessSummary(d, steps)}
	if d.Verdict != liveness.Live {
		return res, nil
	}
	var buf *secmem.Buffer
	_, err := r.an.BestShot(func(n int) ([]byte, error) {
		b, err := r.f.alloc.Alloc(n)
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
			return nil, errNoShot
		}
		return nil, err
	}
	res.JPEG = buf
	return res, nil
}
