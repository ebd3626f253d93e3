package session

import (
	"context"
	"errors"
	"slices"
	"unicode/utf8"

	"github.com/ventanilla-mx/ventanilla/logging"
)

// maxPromptMessage bounds a prompt's text (bytes).
const maxPromptMessage = 240

// StartFace starts a face capture with liveness. Progress arrives as
// capture.prompt events; the outcome as capture.done (a live face),
// capture.rejected (spoof or uncertain) or capture.failed.
func (e *Engine) StartFace(id logging.SessionID) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	s, err := e.captureStepLocked(id, e.p.Face != nil && e.readiness().Face == "")
	if err != nil {
		return err
	}
	return e.launchLocked(s, Face, func(ctx context.Context, gen uint64, prompt func(Prompt)) {
		res, err := e.p.Face.CaptureFace(ctx, prompt)
		e.faceDone(s, gen, res, err)
	})
}

// StartFinger starts a capture of finger position (1-10).
func (e *Engine) StartFinger(id logging.SessionID, position int) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	s, err := e.captureStepLocked(id, e.p.Finger != nil && e.readiness().Finger == "")
	if err != nil {
		return err
	}
	if position < 1 || position > 10 {
		return ErrFingerPosition
	}
	return e.launchLocked(s, Finger, func(ctx context.Context, gen uint64, prompt func(Prompt)) {
		res, err := e.p.Finger.CaptureFinger(ctx, position, prompt)
		e.fingerDone(s, gen, position, res, err)
	})
}

// launchLocked spends one of s's attempts at m (refused when none is
// left), enters m's capture step and runs capture on a worker, with the
// worker's context (a step timeout, an abort or Close cancels it), the
// step's generation and its prompt sink.
func (e *Engine) launchLocked(s *sess, m Modality, capture func(ctx context.Context, gen uint64, prompt func(Prompt))) error {
	left, refused, state, timeout := &s.faceLeft, ErrFaceRefused, StateFace, e.o.Timeouts.Face
	if m == Finger {
		left, refused, state, timeout = &s.fingerLeft, ErrFingerRefused, StateFinger, e.o.Timeouts.Finger
	}
	if *left <= 0 {
		return refused
	}
	*left--
	e.enterLocked(s, state, timeout)
	ctx, gen := e.workerCtxLocked(s), s.gen
	e.emitLocked(Event{Kind: KindCaptureStarted, Modality: m})
	prompt := e.prompter(s, gen, m)
	e.wg.Go(func() { capture(ctx, gen, prompt) })
	return nil
}

// CancelCapture stops the running face or finger capture and returns to
// the biometrics step under the same consent, with capture.failed code
// "cancelled". The attempt counts against its bound.
func (e *Engine) CancelCapture(id logging.SessionID) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	s, err := e.stepLocked(id, StateFace, StateFinger)
	if errors.Is(err, ErrWrongStep) {
		return ErrNotCapturing
	}
	if err != nil {
		return err
	}
	m := modalityOf(s.state)
	e.stopWorkerLocked(s)
	e.captureFailedLocked(s, m, "cancelled")
	e.log.Info("capture cancelled", logging.Session(s.id), "modality", string(m))
	return nil
}

// captureStepLocked admits a capture only after the consent is committed
// and the credential accepted.
func (e *Engine) captureStepLocked(id logging.SessionID, offered bool) (*sess, error) {
	s, err := e.stepLocked(id, StateBiometrics)
	if err != nil {
		err = e.gateLocked(id, err)
		if errors.Is(err, ErrWrongStep) && e.cur.state == StateCredential {
			return nil, ErrCredentialNeeded
		}
		return nil, err
	}
	if !offered {
		return nil, ErrModality
	}
	return s, nil
}

// workerCtxLocked makes the context of s's next worker; a step timeout,
// an abort or Close cancels it.
func (e *Engine) workerCtxLocked(s *sess) context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel, s.work = cancel, ctx
	return ctx
}

// Preview streams the camera preview to frame while session id's face
// capture runs; it returns when the capture ends, ctx is done or frame
// fails. Frames are never stored.
func (e *Engine) Preview(ctx context.Context, id logging.SessionID, frame func(jpeg []byte) error) error {
	e.mu.Lock()
	s, err := e.stepLocked(id, StateFace)
	var work context.Context
	if err == nil {
		work = s.work
	}
	e.mu.Unlock()
	if err != nil {
		return err
	}
	if e.p.Preview == nil {
		return ErrModality
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := context.AfterFunc(work, cancel)
	defer stop()
	return e.p.Preview.Preview(ctx, frame)
}

// prompter forwards a capturer's prompts while the capture is current.
func (e *Engine) prompter(s *sess, gen uint64, m Modality) func(Prompt) {
	return func(p Prompt) {
		if !codePattern.MatchString(p.Code) {
			return
		}
		p.Message = truncate(p.Message, maxPromptMessage)
		e.mu.Lock()
		defer e.mu.Unlock()
		if e.cur == s && s.gen == gen {
			e.emitLocked(Event{Kind: KindCapturePrompt, Modality: m, Prompt: &p})
		}
	}
}

func (e *Engine) faceDone(s *sess, gen uint64, res *FaceResult, err error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.cur != s || s.gen != gen {
		releaseFace(res) // late result of an ended or timed-out capture
		return
	}
	e.stopWorkerLocked(s)
	if err == nil && (res == nil || res.Liveness.Decision == Live && res.JPEG == nil) {
		err = errors.New("face capturer returned no image")
	}
	if err != nil {
		releaseFace(res)
		e.captureFailedLocked(s, Face, e.failCode(s, Face, err))
		return
	}
	switch res.Liveness.Decision {
	case Live:
		if s.face != nil {
			s.vault.drop(s.face.JPEG)
		}
		s.vault.put(res.JPEG)
		s.face = res
		s.took(Face)
		e.enterLocked(s, StateBiometrics, e.o.Timeouts.Biometrics)
		e.emitLocked(Event{Kind: KindCaptureDone, Modality: Face})
	case Spoof:
		releaseFace(res)
		s.faceLeft, s.spoofed = 0, true // a presentation attack ends face capture for this session
		e.rejectedLocked(s, "liveness.spoof")
	default:
		releaseFace(res)
		e.rejectedLocked(s, "liveness.uncertain")
	}
}

func (e *Engine) rejectedLocked(s *sess, code string) {
	e.enterLocked(s, StateBiometrics, e.o.Timeouts.Biometrics)
	e.emitLocked(Event{Kind: KindCaptureRejected, Modality: Face, Code: code})
	e.log.Info("face rejected by liveness", logging.Session(s.id), "code", code)
}

func (e *Engine) fingerDone(s *sess, gen uint64, pos int, res *FingerResult, err error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.cur != s || s.gen != gen {
		releaseFinger(res)
		return
	}
	e.stopWorkerLocked(s)
	if err == nil && (res == nil || res.Image == nil || res.Position != pos) {
		err = errors.New("finger capturer returned no image or another position")
	}
	if err != nil {
		releaseFinger(res)
		e.captureFailedLocked(s, Finger, e.failCode(s, Finger, err))
		return
	}
	if s.finger != nil {
		s.vault.drop(s.finger.Image)
	}
	s.vault.put(res.Image)
	s.finger = res
	s.took(Finger)
	e.enterLocked(s, StateBiometrics, e.o.Timeouts.Biometrics)
	e.emitLocked(Event{Kind: KindCaptureDone, Modality: Finger})
}

func (e *Engine) captureFailedLocked(s *sess, m Modality, code string) {
	e.enterLocked(s, StateBiometrics, e.o.Timeouts.Biometrics)
	e.emitLocked(Event{Kind: KindCaptureFailed, Modality: m, Code: code})
}

// failCode maps a capturer error to a stable code and logs it (capturer
// errors carry no personal data by contract).
func (e *Engine) failCode(s *sess, m Modality, err error) string {
	code := "error"
	switch {
	case errors.Is(err, ErrQuality):
		code = "quality"
	case errors.Is(err, ErrDevice):
		code = "device"
	case errors.Is(err, ErrCaptureTimeout):
		code = "timeout"
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		code = "timeout"
	}
	e.log.Warn("capture failed", logging.Session(s.id), "modality", string(m), "code", code, "err", err)
	return code
}

// took records that m was captured since the last submission.
func (s *sess) took(m Modality) {
	if !slices.Contains(s.taken, m) {
		s.taken = append(s.taken, m)
	}
}

func releaseFace(r *FaceResult) {
	if r != nil && r.JPEG != nil {
		r.JPEG.Release()
	}
}

func releaseFinger(r *FingerResult) {
	if r != nil && r.Image != nil {
		r.Image.Release()
	}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
