package client

import (
	"context"
	"errors"
	"fmt"

	"github.com/ventanilla-mx/ventanilla/capture/proto"
	"github.com/ventanilla-mx/ventanilla/session"
)

// errDied: the capture process died during the request.
var errDied = errors.New("the capture process died")

// CaptureFace implements session.FaceCapturer: one capture in the capture
// process. A process that dies meanwhile fails it with session.ErrDevice.
func (c *Client) CaptureFace(ctx context.Context, prompt func(session.Prompt)) (*session.FaceResult, error) {
	p, err := c.current()
	if err != nil {
		return nil, err
	}
	ch := make(chan event)
	p.mu.Lock()
	if p.capture != nil {
		p.mu.Unlock()
		return nil, errors.New("face: a capture is already running")
	}
	p.capture = ch
	p.mu.Unlock()
	defer func() {
		p.mu.Lock()
		p.capture = nil
		p.mu.Unlock()
	}()
	if err := p.send(proto.TCapture); err != nil {
		return nil, fmt.Errorf("face: %w: %w: %w", session.ErrDevice, errDied, err)
	}
	return p.await(ctx, ch, prompt)
}

// await follows the capture until its result. When ctx ends it asks the
// process to cancel and waits for the capture's end, so no buffer stays
// behind; a result that arrives anyway is released.
func (p *proc) await(ctx context.Context, ch chan event, prompt func(session.Prompt)) (*session.FaceResult, error) {
	done := ctx.Done()
	for {
		select {
		case ev := <-ch:
			switch {
			case ev.prompt != nil:
				if ctx.Err() == nil {
					prompt(*ev.prompt)
				}
				continue
			case ctx.Err() != nil:
				if ev.result != nil && ev.result.JPEG != nil {
					ev.result.JPEG.Release()
				}
				return nil, ctx.Err()
			case errors.Is(ev.err, errCanceled):
				return nil, context.Canceled
			}
			return ev.result, ev.err
		case <-done:
			done = nil
			if err := p.send(proto.TCancel); err != nil {
				return nil, ctx.Err()
			}
		case <-p.dead:
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, fmt.Errorf("face: %w: %w", session.ErrDevice, errDied)
		}
	}
}

// Preview implements session.Previewer: the capture process's preview
// frames, each valid only during the call to frame.
func (c *Client) Preview(ctx context.Context, fn func(jpeg []byte) error) error {
	p, err := c.current()
	if err != nil {
		return fmt.Errorf("preview: %w", err)
	}
	ch := make(chan frame)
	p.mu.Lock()
	if p.preview != nil {
		p.mu.Unlock()
		return errors.New("preview: already running")
	}
	p.preview = ch
	p.mu.Unlock()
	defer func() {
		p.mu.Lock()
		p.preview = nil
		p.mu.Unlock()
	}()
	if err := p.send(proto.TPreview, []byte{1}); err != nil {
		return fmt.Errorf("preview: %w: %w", session.ErrDevice, errDied)
	}
	return p.previewLoop(ctx, ch, fn)
}

func (p *proc) previewLoop(ctx context.Context, ch chan frame, fn func([]byte) error) error {
	stop := func() error {
		p.send(proto.TPreview, []byte{0})
		return nil
	}
	for {
		select {
		case f := <-ch:
			if f.jpeg == nil {
				close(f.done)
				if ctx.Err() != nil {
					return nil
				}
				return fmt.Errorf("preview: camera: %w", session.ErrDevice)
			}
			err := fn(f.jpeg)
			close(f.done)
			if err != nil {
				stop()
				return err
			}
		case <-ctx.Done():
			return stop()
		case <-p.dead:
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("preview: %w: %w", session.ErrDevice, errDied)
		}
	}
}

// SelfTest asks the capture process to open the camera and wait for one
// frame.
func (c *Client) SelfTest(ctx context.Context) error {
	p, err := c.current()
	if err != nil {
		return err
	}
	ch := make(chan string, 1)
	p.mu.Lock()
	if p.selftest != nil {
		p.mu.Unlock()
		return errors.New("camera: a self-test is already running")
	}
	p.selftest = ch
	p.mu.Unlock()
	if err := p.send(proto.TSelfTest); err != nil {
		return fmt.Errorf("camera: %w", errDied)
	}
	select {
	case msg := <-ch:
		if msg != "" {
			return errors.New(msg)
		}
		return nil
	case <-p.dead:
		return fmt.Errorf("camera: %w", errDied)
	case <-ctx.Done():
		p.mu.Lock()
		p.selftest = nil
		p.mu.Unlock()
		return ctx.Err()
	}
}
