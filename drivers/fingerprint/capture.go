package fingerprint

import (
	"context"
	"errors"
	"fmt"
)

// Capture implements Scanner.
func (s *R30x) Capture(ctx context.Context, alloc Alloc) (*Image, error) {
	ctx, done := s.beginOp(ctx)
	defer done()
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.ensureLocked(ctx); err != nil {
		return nil, err
	}
	s.ledLocked(ctx, LEDBreathing, LEDBlue)
	err := s.waitFingerLocked(ctx)
	var img *Image
	if err == nil {
		img, err = s.uploadLocked(ctx, alloc)
	}
	if s.link != nil {
		s.ledLocked(context.WithoutCancel(ctx), LEDOff, 0)
	}
	if err != nil {
		return nil, fmt.Errorf("fingerprint: capture: %w", err)
	}
	return img, nil
}

// beginOp makes ctx cancellable by Halt.
func (s *R30x) beginOp(ctx context.Context) (context.Context, func()) {
	ctx, cancel := context.WithCancel(ctx)
	s.opMu.Lock()
	s.opCancel = cancel
	s.opMu.Unlock()
	return ctx, func() {
		s.opMu.Lock()
		s.opCancel = nil
		s.opMu.Unlock()
		cancel()
	}
}

// waitFingerLocked polls GenImg (GetImageEx on an R503, which also rejects
// poor images) until a finger is captured, the capture timeout passes or
// ctx ends.
func (s *R30x) waitFingerLocked(ctx context.Context) error {
	c := cmdGenImg
	if s.info.Extras {
		c = cmdGetImageEx
	}
	clk := s.opts.Clock
	deadline := clk.Now().Add(s.opts.CaptureTimeout)
	for {
		_, err := s.link.command(ctx, c, s.opts.CommandTimeout, s.opts.Retries)
		if err == nil {
			return nil
		}
		if !errors.Is(err, ErrNoFinger) {
			return s.failLocked(err)
		}
		if !clk.Now().Before(deadline) {
			return fmt.Errorf("no finger within %v: %w", s.opts.CaptureTimeout, ErrNoFinger)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-clk.After(s.opts.PollInterval):
		}
	}
}

// uploadLocked uploads the captured image into a buffer from alloc,
// repeating the whole transfer after a transient error (the module keeps
// the image in its buffer). On failure the buffer is cleared.
func (s *R30x) uploadLocked(ctx context.Context, alloc Alloc) (*Image, error) {
	w, h := s.info.Width, s.info.Height
	pix, err := allocate(alloc, w*h)
	if err != nil {
		return nil, err
	}
	for attempt := 0; ; attempt++ {
		err = s.link.upload(ctx, pix, s.opts.CommandTimeout)
		if err == nil {
			return &Image{Width: w, Height: h, DPI: s.info.DPI, Pix: pix}, nil
		}
		retry := transient(err) || errors.Is(err, ErrImage)
		if !retry || attempt >= s.opts.Retries || ctx.Err() != nil {
			clear(pix)
			return nil, s.failLocked(fmt.Errorf("upload image: %w", err))
		}
		s.stats.Retries++
	}
}

func allocate(alloc Alloc, n int) ([]byte, error) {
	if alloc == nil {
		return make([]byte, n), nil
	}
	pix, err := alloc(n)
	if err != nil {
		return nil, fmt.Errorf("allocate image buffer: %w", err)
	}
	if len(pix) != n {
		return nil, fmt.Errorf("allocate image buffer: got %d bytes, want %d", len(pix), n)
	}
	return pix, nil
}

// ledLocked sets the R503 ring LED; best effort, only when present.
func (s *R30x) ledLocked(ctx context.Context, ctrl, color byte) {
	if !s.opts.UseLED || !s.info.Extras || s.link == nil {
		return
	}
	_, err := s.link.command(ctx, cmdAuraLedConfig, s.opts.CommandTimeout, 0, ctrl, 0x40, color, 0)
	if err != nil {
		s.opts.Logger.Debug("scanner LED", "err", err)
		s.failLocked(err)
	}
}

// LED drives the R503 ring LED (AuraLedConfig: control code, speed,
// colour, count). It returns an error wrapping ErrUnsupported on modules
// without it.
func (s *R30x) LED(ctx context.Context, ctrl, speed, color, count byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.ensureLocked(ctx); err != nil {
		return err
	}
	if !s.info.Extras {
		return fmt.Errorf("fingerprint: LED: %w", ErrUnsupported)
	}
	_, err := s.link.command(ctx, cmdAuraLedConfig, s.opts.CommandTimeout, s.opts.Retries, ctrl, speed, color, count)
	return s.failLocked(err)
}

// Halt implements Scanner.
func (s *R30x) Halt() error {
	s.opMu.Lock()
	if s.opCancel != nil {
		s.opCancel()
	}
	s.opMu.Unlock()
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.closed && s.link != nil {
		s.ledLocked(context.Background(), LEDOff, 0)
	}
	return nil
}

// Close implements Scanner.
func (s *R30x) Close() error {
	_ = s.Halt()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	s.disconnectLocked()
	s.setStateLocked(StateClosed, nil)
	return nil
}
