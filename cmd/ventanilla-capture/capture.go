package main

import (
	"context"
	"errors"

	"github.com/ventanilla-mx/ventanilla/capture/facecap"
	"github.com/ventanilla-mx/ventanilla/capture/proto"
	"github.com/ventanilla-mx/ventanilla/session"
)

// startCapture runs one face capture; its prompts and its end (Result or
// Error) go up. A second request while one runs is refused.
func (s *server) startCapture(ctx context.Context) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cancelCapture != nil {
		s.send(proto.TError, proto.EncodeError(proto.CodeInternal, "a capture is already running"))
		return
	}
	if s.capture == nil {
		s.send(proto.TError, proto.EncodeError(proto.CodeModels, s.modelsErr))
		return
	}
	ctx, cancel := context.WithCancel(ctx)
	s.cancelCapture = cancel
	s.goDo(func() {
		t, payload, release := s.runCapture(ctx)
		// The capture is over before its end goes up: a client that
		// starts the next one on reading it must not be refused.
		s.mu.Lock()
		s.cancelCapture = nil
		s.mu.Unlock()
		cancel()
		s.send(t, payload...)
		release()
		s.rep.report() // the counters after the capture
	})
}

// runCapture runs the capture and returns the message that ends it (Result
// or Error) and what releases the result's buffer once sent.
func (s *server) runCapture(ctx context.Context) (proto.Type, [][]byte, func()) {
	res, err := s.capture.CaptureFace(ctx, func(q session.Prompt) {
		s.send(proto.TPrompt, proto.EncodeJSON(proto.Prompt{Code: q.Code, Message: q.Message, Step: q.Step, Steps: q.Steps}))
	})
	if err != nil {
		return proto.TError, [][]byte{proto.EncodeError(errorCode(err), errText(err))}, func() {}
	}
	var jpeg []byte
	release := func() {}
	if res.JPEG != nil {
		jpeg, release = res.JPEG.Bytes(), res.JPEG.Release
	}
	l := res.Liveness
	meta := proto.Meta{Decision: l.Decision, Reason: s.hooks.takeReason(), Method: l.Method, Cues: l.Cues}
	return proto.TResult, proto.EncodeResult(meta, jpeg), release
}

func errorCode(err error) proto.Code {
	switch {
	case errors.Is(err, context.Canceled):
		return proto.CodeCanceled
	case errors.Is(err, facecap.ErrNoShot), errors.Is(err, session.ErrQuality):
		return proto.CodeQuality
	case errors.Is(err, session.ErrDevice):
		return proto.CodeDevice
	}
	return proto.CodeInternal
}

// setPreview starts or stops the preview stream. Its frames go up as
// Frame messages; an empty Frame says the stream failed on its own (the
// camera). Turning it off waits until it has stopped, so the next "on"
// starts a fresh one and no end marker of the old one can reach it.
func (s *server) setPreview(ctx context.Context, on bool) {
	s.mu.Lock()
	cancel, done := s.cancelPreview, s.previewDone
	s.mu.Unlock()
	if cancel != nil {
		if on {
			return // already running
		}
		cancel()
		<-done
		return
	}
	if !on {
		return
	}
	ctx, cancel = context.WithCancel(ctx)
	done = make(chan struct{})
	s.mu.Lock()
	s.cancelPreview, s.previewDone = cancel, done
	s.mu.Unlock()
	s.goDo(func() {
		defer close(done)
		s.preview.Preview(ctx, func(jpeg []byte) error {
			s.send(proto.TFrame, jpeg)
			return nil
		})
		s.mu.Lock()
		s.cancelPreview, s.previewDone = nil, nil
		s.mu.Unlock()
		if ctx.Err() == nil {
			s.send(proto.TFrame) // failed on its own
		}
		cancel()
	})
}

// shutdown cancels what runs, waits for it and closes the camera.
func (s *server) shutdown() {
	s.mu.Lock()
	for _, c := range []context.CancelFunc{s.cancelCapture, s.cancelPreview} {
		if c != nil {
			c()
		}
	}
	s.mu.Unlock()
	if s.hub != nil {
		s.hub.Close()
	}
	s.wg.Wait()
	s.conn.Close()
}
