package daemon

import (
	"context"
	"errors"
	"fmt"
	"image"
	"sync"
	"time"

	"gocv.io/x/gocv"

	"github.com/ventanilla-mx/ventanilla/drivers/camera"
)

// errCameraStopped: the daemon is stopping; the camera will not stream again.
var errCameraStopped = errors.New("camera: the daemon is stopping")

// camHub shares one camera between its users (the face capture, the
// preview, the self-test) and keeps the device open only while one of
// them needs it: the first acquire opens and starts it, the last release
// stops and closes it, so the camera's light is off and the USB bus idle
// between citizens. One pump goroutine reads frames and hands each user
// its own copy (full size, or scaled down for the preview).
type camHub struct {
	open   func() (camera.Camera, error)
	health *cameraHealth

	life   sync.Mutex // serialises opening and closing the device
	refs   int
	run    *camRun
	closed bool

	mu   sync.Mutex // taps; held while frames are delivered
	taps []*tap

	statsMu sync.Mutex
	cur     camera.Camera // streaming now, for Stats
	total   camera.Stats  // of cameras already closed

	resume chan struct{} // signalled when frames flow (again)

	// lossless makes the pump wait until the full-size user takes each
	// frame instead of replacing it: for replays in tests and evaluation,
	// where every frame must be judged. A live camera never waits.
	lossless bool
}

// camRun is one open-and-streaming period of the device.
type camRun struct {
	cam    camera.Camera
	cancel context.CancelFunc
	done   chan struct{} // closed when the pump has returned
}

func newCamHub(open func() (camera.Camera, error), h *cameraHealth) *camHub {
	return &camHub{open: open, health: h, resume: make(chan struct{}, 1)}
}

// onState is the driver's state callback (called from its goroutine, with
// the driver locked): it updates health and wakes a waiting pump.
func (h *camHub) onState(st camera.State, cause error) {
	h.health.onState(st, cause)
	if st == camera.StateStreaming {
		select {
		case h.resume <- struct{}{}:
		default:
		}
	}
}

// acquire returns a tap delivering frames scaled to width (0: full size),
// at most one per every (0: all), opening the camera if it is closed.
// The caller must release the tap.
func (h *camHub) acquire(width int, every time.Duration) (*tap, error) {
	h.life.Lock()
	defer h.life.Unlock()
	if h.closed {
		return nil, errCameraStopped
	}
	if h.run != nil && h.run.finished() { // the pump gave up (replay ended, read error)
		h.stopLocked()
	}
	if h.run == nil {
		if err := h.startLocked(); err != nil {
			return nil, err
		}
	}
	t := &tap{width: width, every: every, frames: make(chan *camera.Frame, 1), errs: make(chan error, 1), gone: make(chan struct{})}
	h.mu.Lock()
	h.taps = append(h.taps, t)
	h.mu.Unlock()
	h.refs++
	return t, nil
}

// release forgets t, wipes the frame it still holds, and closes the
// camera when nobody else uses it.
func (h *camHub) release(t *tap) {
	close(t.gone) // first: a lossless pump may be waiting for t, holding mu
	h.life.Lock()
	defer h.life.Unlock()
	h.mu.Lock()
	for i, x := range h.taps {
		if x == t {
			h.taps = append(h.taps[:i], h.taps[i+1:]...)
			break
		}
	}
	h.mu.Unlock()
	t.drain()
	if h.refs--; h.refs == 0 && h.run != nil {
		h.stopLocked()
	}
}

func (h *camHub) startLocked() error {
	cam, err := h.open()
	if err != nil {
		h.health.openFailed(err)
		return err
	}
	h.health.opened(cam.Format())
	ctx, cancel := context.WithCancel(context.Background())
	if err := cam.Start(ctx); err != nil {
		cancel()
		cam.Close()
		h.health.openFailed(err)
		return err
	}
	r := &camRun{cam: cam, cancel: cancel, done: make(chan struct{})}
	h.run = r
	h.statsMu.Lock()
	h.cur = cam
	h.statsMu.Unlock()
	go h.pump(ctx, r) // owned by the hub: stopLocked waits for it
	return nil
}

// stopLocked stops the pump, waits for it and closes the device; the
// driver wipes the frames it still buffers.
func (h *camHub) stopLocked() {
	r := h.run
	h.run = nil
	r.cancel()
	<-r.done
	r.cam.Close()
	h.statsMu.Lock()
	st := r.cam.Stats()
	h.total.Frames += st.Frames
	h.total.Dropped += st.Dropped
	h.total.Reopens += st.Reopens
	h.total.Errors += st.Errors
	h.cur = nil
	h.statsMu.Unlock()
}

// close stops the camera for good (daemon shutdown); users still holding
// a tap get errCameraStopped.
func (h *camHub) close() {
	h.life.Lock()
	defer h.life.Unlock()
	h.closed = true
	if h.run != nil {
		h.stopLocked()
	}
	h.fail(errCameraStopped)
}

// probe opens the camera and closes it again, to learn whether it works
// and what format it gives, unless it is in use (then it evidently works).
func (h *camHub) probe() error {
	h.life.Lock()
	defer h.life.Unlock()
	if h.closed || h.run != nil {
		return nil
	}
	cam, err := h.open()
	if err != nil {
		h.health.openFailed(err)
		return err
	}
	h.health.opened(cam.Format())
	return cam.Close()
}

// inUse reports whether the device is open now.
func (h *camHub) inUse() bool {
	h.statsMu.Lock()
	defer h.statsMu.Unlock()
	return h.cur != nil
}

// stats adds the open camera's counters to those of the closed ones.
func (h *camHub) stats() camera.Stats {
	h.statsMu.Lock()
	defer h.statsMu.Unlock()
	st := h.total
	if h.cur != nil {
		c := h.cur.Stats()
		st.Frames, st.Dropped, st.Reopens, st.Errors = st.Frames+c.Frames, st.Dropped+c.Dropped, st.Reopens+c.Reopens, st.Errors+c.Errors
	}
	return st
}

func (r *camRun) finished() bool {
	select {
	case <-r.done:
		return true
	default:
		return false
	}
}

// pump reads frames until ctx is done or the stream fails for good. While
// the device is unavailable (the driver reopens it) users are told, and
// the pump waits for frames to flow again.
func (h *camHub) pump(ctx context.Context, r *camRun) {
	defer close(r.done)
	for {
		f, err := r.cam.Next(ctx)
		switch {
		case err == nil:
			h.distribute(ctx, f)
		case ctx.Err() != nil:
			return
		case errors.Is(err, camera.ErrUnavailable):
			h.fail(err)
			select {
			case <-ctx.Done():
				return
			case <-h.resume:
			}
		default: // io.EOF of a replay, or the driver closed
			h.fail(fmt.Errorf("camera: stream ended: %w", err))
			return
		}
	}
}

// distribute gives every due tap its copy of f; the first full-size tap
// gets f itself, and f is released when nobody takes it.
func (h *camHub) distribute(ctx context.Context, f *camera.Frame) {
	h.mu.Lock()
	defer h.mu.Unlock()
	var full *tap
	for _, t := range h.taps {
		if !t.due(f.Time) {
			continue
		}
		if t.width == 0 && full == nil {
			full = t
			continue
		}
		t.deliver(copyFrame(f, t.width))
	}
	switch {
	case full == nil:
		f.Release()
	case h.lossless:
		full.wait(ctx, f)
	default:
		full.deliver(f)
	}
}

// fail tells every current user that the stream failed.
func (h *camHub) fail(err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, t := range h.taps {
		select {
		case t.errs <- err:
		default: // it has not read the previous one yet
		}
	}
}

// copyFrame clones f, or scales it down to width (keeping its aspect).
func copyFrame(f *camera.Frame, width int) *camera.Frame {
	c := &camera.Frame{Seq: f.Seq, Time: f.Time}
	if width <= 0 || width >= f.Mat.Cols() {
		c.Mat = f.Mat.Clone()
		return c
	}
	c.Mat = gocv.NewMat()
	h := max(1, f.Mat.Rows()*width/f.Mat.Cols())
	gocv.Resize(f.Mat, &c.Mat, image.Pt(width, h), 0, 0, gocv.InterpolationArea)
	return c
}

// tap is one user's view of the stream: the newest frame wins, an older
// one not yet taken is released (wiped).
type tap struct {
	width  int
	every  time.Duration
	last   time.Time // of the last frame delivered; only the pump uses it
	frames chan *camera.Frame
	errs   chan error
	gone   chan struct{} // closed when its user releases it
}

func (t *tap) due(now time.Time) bool {
	if t.every > 0 && !t.last.IsZero() && now.Sub(t.last) < t.every {
		return false
	}
	t.last = now
	return true
}

// deliver never blocks: the pump is the only sender.
func (t *tap) deliver(f *camera.Frame) {
	for {
		select {
		case t.frames <- f:
			return
		default:
		}
		select {
		case old := <-t.frames:
			old.Release()
		default:
		}
	}
}

// wait hands f over once the user has taken the previous frame (lossless).
func (t *tap) wait(ctx context.Context, f *camera.Frame) {
	select {
	case t.frames <- f:
	case <-t.gone:
		f.Release()
	case <-ctx.Done():
		f.Release()
	}
}

// next waits for a frame, a stream failure or ctx. The caller owns the
// frame and must Release it.
func (t *tap) next(ctx context.Context) (*camera.Frame, error) {
	select {
	case f := <-t.frames:
		return f, nil
	case err := <-t.errs:
		return nil, err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (t *tap) drain() {
	for {
		select {
		case f := <-t.frames:
			f.Release()
		default:
			return
		}
	}
}
