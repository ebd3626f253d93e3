package camera

import (
	"context"
	"errors"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"gocv.io/x/gocv"
)

// source is one open session with a device or a file. read fills dst with
// the next BGR frame and returns nil, io.EOF (replay ended), an error
// matching ErrUnavailable (device gone), or another error (one failed read).
type source interface {
	read(dst *gocv.Mat) error
	format() Format
	close()
}

// opener opens a new source; it is called at construction and on reopen.
type opener func() (source, error)

// stream implements Camera on top of any source: bounded buffering, pacing,
// unplug detection and reopen with backoff.
type stream struct {
	device string // stable path, "index N" or "replay"; for errors only
	opts   Opts
	open   opener
	pace   bool // sleep to the source's frame rate (replay at native rate)
	block  bool // wait for the consumer instead of dropping the oldest frame

	mu     sync.Mutex
	src    source
	fmt    Format
	state  State
	cause  error
	frames chan *Frame
	cancel context.CancelFunc
	done   chan struct{}
	wake   chan struct{} // capacity 1; signalled on every state change

	nFrames, nDropped, nReopens, nErrors atomic.Uint64
}

var _ Camera = (*stream)(nil)

func newStream(device string, open opener, o *Opts, pace, block bool) (*stream, error) {
	s := &stream{device: device, opts: o.withDefaults(), open: open, pace: pace, block: block, wake: make(chan struct{}, 1)}
	src, err := open()
	if err != nil {
		return nil, err
	}
	s.src, s.fmt = src, src.format()
	return s, nil
}

func (s *stream) Format() Format {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.fmt
}

func (s *stream) State() State {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state
}

func (s *stream) Stats() Stats {
	return Stats{Frames: s.nFrames.Load(), Dropped: s.nDropped.Load(), Reopens: s.nReopens.Load(), Errors: s.nErrors.Load()}
}

func (s *stream) Start(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.state == StateClosed:
		return ErrClosed
	case s.frames != nil:
		return nil
	}
	if s.state == StateEnded && s.src != nil {
		s.src.close()
		s.src = nil
	}
	if s.src == nil {
		src, err := s.open()
		if err != nil {
			return err
		}
		s.src, s.fmt = src, src.format()
	}
	ctx, s.cancel = context.WithCancel(ctx)
	s.frames = make(chan *Frame, s.opts.Buffer)
	s.done = make(chan struct{})
	s.state, s.cause = StateStreaming, nil
	go s.loop(ctx, s.frames, s.done)
	s.notify(StateStreaming, nil)
	return nil
}

func (s *stream) Next(ctx context.Context) (*Frame, error) {
	s.mu.Lock()
	frames, state := s.frames, s.state
	s.mu.Unlock()
	if state == StateClosed {
		return nil, ErrClosed
	}
	if frames == nil {
		return nil, ErrNotStarted
	}
	for {
		select {
		case f, ok := <-frames:
			return s.received(f, ok)
		default:
		}
		if err := s.unavailable(); err != nil {
			return nil, err
		}
		select {
		case f, ok := <-frames:
			return s.received(f, ok)
		case <-s.wake:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

func (s *stream) received(f *Frame, ok bool) (*Frame, error) {
	if ok {
		return f, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch s.state {
	case StateEnded:
		return nil, io.EOF
	case StateClosed:
		return nil, ErrClosed
	}
	return nil, ErrNotStarted
}

func (s *stream) unavailable() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.state == StateUnavailable {
		return s.cause
	}
	return nil
}

func (s *stream) Stop() error {
	s.mu.Lock()
	cancel, done, frames := s.cancel, s.done, s.frames
	s.cancel, s.done, s.frames = nil, nil, nil
	s.mu.Unlock()
	if cancel == nil {
		return nil
	}
	cancel()
	<-done
	for f := range frames { // the loop closed it on exit
		f.Release()
	}
	s.mu.Lock()
	ended := s.state == StateEnded
	if !ended {
		s.state, s.cause = StateIdle, nil
	}
	s.mu.Unlock()
	if !ended {
		s.notify(StateIdle, nil)
	}
	return nil
}

func (s *stream) Close() error {
	s.Stop()
	s.mu.Lock()
	if s.state == StateClosed {
		s.mu.Unlock()
		return nil
	}
	if s.src != nil {
		s.src.close()
		s.src = nil
	}
	s.state, s.cause = StateClosed, nil
	s.mu.Unlock()
	s.notify(StateClosed, nil)
	return nil
}

// setState records a state change made by the loop and reports it.
func (s *stream) setState(st State, cause error) {
	s.mu.Lock()
	s.state, s.cause = st, cause
	s.mu.Unlock()
	s.notify(st, cause)
}

func (s *stream) notify(st State, cause error) {
	select {
	case s.wake <- struct{}{}:
	default:
	}
	if s.opts.OnState != nil {
		s.opts.OnState(st, cause)
	}
}

func (s *stream) current() source {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.src
}

// loop is the one streaming goroutine; Start starts it and Stop waits for it.
func (s *stream) loop(ctx context.Context, frames chan *Frame, done chan struct{}) {
	defer close(done)
	defer close(frames)
	var seq uint64
	var due time.Time
	failures := 0
	for ctx.Err() == nil {
		src := s.current()
		if src == nil {
			if !s.reopen(ctx) {
				return
			}
			failures, due = 0, time.Time{}
			continue
		}
		if s.pace && !s.waitDue(ctx, &due, src.format().FPS) {
			return
		}
		m := gocv.NewMat()
		err := src.read(&m)
		if err != nil {
			Wipe(&m)
			m.Close()
		}
		switch {
		case err == nil:
			failures = 0
			s.nFrames.Add(1)
			f := &Frame{Mat: m, Seq: seq, Time: s.opts.Clock.Now()}
			seq++
			if !s.deliver(ctx, frames, f) {
				return
			}
		case errors.Is(err, io.EOF):
			s.setState(StateEnded, io.EOF)
			return
		default:
			s.nErrors.Add(1)
			failures++
			if errors.Is(err, ErrUnavailable) || failures >= s.opts.ReadFailures {
				s.lose(src, err)
			}
		}
	}
}

// waitDue sleeps until the next frame is due at the source's frame rate.
func (s *stream) waitDue(ctx context.Context, due *time.Time, fps float64) bool {
	now := s.opts.Clock.Now()
	if fps <= 0 || due.IsZero() {
		*due = now
	}
	if d := due.Sub(now); d > 0 {
		select {
		case <-ctx.Done():
			return false
		case <-s.opts.Clock.After(d):
		}
	}
	if fps > 0 {
		*due = due.Add(time.Duration(float64(time.Second) / fps))
	}
	return true
}

// deliver hands f to the consumer: waiting (block) or dropping the oldest.
func (s *stream) deliver(ctx context.Context, frames chan *Frame, f *Frame) bool {
	if s.block {
		select {
		case frames <- f:
			return true
		case <-ctx.Done():
			f.Release()
			return false
		}
	}
	for {
		select {
		case frames <- f:
			return true
		default:
		}
		select {
		case old := <-frames:
			old.Release()
			s.nDropped.Add(1)
		default:
		}
	}
}

// lose closes a failed source and reports the device unavailable.
func (s *stream) lose(src source, cause error) {
	src.close()
	s.mu.Lock()
	s.src = nil
	s.mu.Unlock()
	if !errors.Is(cause, ErrUnavailable) {
		cause = &DeviceError{Device: s.device, Op: "read", Err: errors.Join(ErrUnavailable, cause)}
	}
	s.setState(StateUnavailable, cause)
}

// reopen retries the opener with exponential backoff until it succeeds or
// ctx is done.
func (s *stream) reopen(ctx context.Context) bool {
	d := s.opts.ReopenMin
	for {
		select {
		case <-ctx.Done():
			return false
		case <-s.opts.Clock.After(d):
		}
		src, err := s.open()
		if err == nil {
			s.mu.Lock()
			s.src, s.fmt = src, src.format()
			s.mu.Unlock()
			s.nReopens.Add(1)
			s.setState(StateStreaming, nil)
			return true
		}
		s.nErrors.Add(1)
		d = min(2*d, s.opts.ReopenMax)
	}
}
