package camhub

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

// ErrStopped: the hub was closed (the process is stopping); the camera
// will not stream again.
var ErrStopped = errors.New("camera: the daemon is stopping")

// Hub shares one camera between its users (the face capture, the
// preview, the self-test) and keeps the device open only while one of
// them needs it: the first acquire opens and starts it, the last release
// stops and closes it, so the camera's light is off and the USB bus idle
// between citizens. One pump goroutine reads frames and hands each user
// its own copy (full size, or scaled down for the preview).
type Hub struct {
	open   func(camera.Opts) (camera.Camera, error)
	health Observer

	life   sync.Mutex // serialises opening and closing the device
	refs   int
	run    *camRun
	closed bool

	mu   sync.Mutex // taps; held while frames are delivered
	taps []*Tap

	statsMu sync.Mutex
	cur     camera.Camera // streaming now, for Stats
	total   camera.Stats  // of cameras already closed

	resume chan struct{} // signalled when frames flow (again)

	// Lossless makes the pump wait until the full-size user takes each
	// frame instead of replacing it: for replays in tests and evaluation,
	// where every frame must be judged. A live camera never waits. Set it
	// before the first Acquire.
	Lossless bool
}

// camRun is one open-and-streaming period of the device.
type camRun struct {
	cam    camera.Camera
	cancel context.CancelFunc
	done   chan struct{} // closed when the pump has returned
}

// Observer learns what happens to the device (the daemon turns it into
// health conditions). OnState is called from the driver's goroutine with
// the driver locked: it must only record.
type Observer interface {
	OnState(st camera.State, cause error)
	Opened(f camera.Format)
	OpenFailed(err error)
}

// New returns a hub over the camera that open builds; open is given
// camera.DefaultOpts with OnState set to the hub's (it may change the
// rest, e.g. the clock). obs may be nil.
func New(open func(camera.Opts) (camera.Camera, error), obs Observer) *Hub {
	if obs == nil {
		obs = nopObserver{}
	}
	return &Hub{open: open, health: obs, resume: make(chan struct{}, 1)}
}

type nopObserver struct{}

func (nopObserver) OnState(camera.State, error) {}
func (nopObserver) Opened(camera.Format)        {}
func (nopObserver) OpenFailed(error)            {}

// openCamera builds the device with the hub's state callback.
func (h *Hub) openCamera() (camera.Camera, error) {
	o := *camera.DefaultOpts()
	o.OnState = h.onState
	return h.open(o)
}

// onState is the driver's state callback (called from its goroutine, with
// the driver locked): it updates health and wakes a waiting pump.
func (h *Hub) onState(st camera.State, cause error) {
	h.health.OnState(st, cause)
	if st == camera.StateStreaming {
		select {
		case h.resume <- struct{}{}:
		default:
		}
	}
}

// Acquire returns a tap delivering frames scaled to width (0: full size),
// at most one per every (0: all), opening the camera if it is closed.
// The caller must release the tap.
func (h *Hub) Acquire(width int, every time.Duration) (*Tap, error) {
	h.life.Lock()
	defer h.life.Unlock()
	if h.closed {
		return nil, ErrStopped
	}
	if h.run != nil && h.run.finished() { // the pump gave up (replay ended, read error)
		h.stopLocked()
	}
	if h.run == nil {
		if err := h.startLocked(); err != nil {
			return nil, err
		}
	}
	t := &Tap{width: width, every: every, frames: make(chan *camera.Frame, 1), errs: make(chan error, 1), gone: make(chan struct{})}
	h.mu.Lock()
	h.taps = append(h.taps, t)
	h.mu.Unlock()
	h.refs++
	return t, nil
}

// Release forgets t, wipes the frame it still holds, and closes the
// camera when nobody else uses it.
func (h *Hub) Release(t *Tap) {
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

func (h *Hub) startLocked() error {
	cam, err := h.openCamera()
	if err != nil {
		h.health.OpenFailed(err)
		return err
	}
	h.health.Opened(cam.Format())
	ctx, cancel := context.WithCancel(context.Background())
	if err := cam.Start(ctx); err != nil {
		cancel()
		cam.Close()
		h.health.OpenFailed(err)
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
func (h *Hub) stopLocked() {
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

// Close stops the camera for good (shutdown); users still holding a tap
// get ErrStopped.
func (h *Hub) Close() {
	h.life.Lock()
	defer h.life.Unlock()
	h.closed = true
	if h.run != nil {
		h.stopLocked()
	}
	h.fail(ErrStopped)
}

// Probe opens the camera and closes it again, to learn whether it works
// and what format it gives, unless it is in use (then it evidently works).
func (h *Hub) Probe() error {
	h.life.Lock()
	defer h.life.Unlock()
	if h.closed || h.run != nil {
		return nil
	}
	cam, err := h.openCamera()
	if err != nil {
		h.health.OpenFailed(err)
		return err
	}
	h.health.Opened(cam.Format())
	return cam.Close()
}

// InUse reports whether the device is open now.
func (h *Hub) InUse() bool {
	h.statsMu.Lock()
	defer h.statsMu.Unlock()
	return h.cur != nil
}

// Stats adds the open camera's counters to those of the closed ones.
func (h *Hub) Stats() camera.Stats {
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
func (h *Hub) pump(ctx context.Context, r *camRun) {
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
func (h *Hub) distribute(ctx context.Context, f *camera.Frame) {
	h.mu.Lock()
	defer h.mu.Unlock()
	var full *Tap
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
	case h.Lossless:
		full.wait(ctx, f)
	default:
		full.deliver(f)
	}
}

// fail tells every current user that the stream failed.
func (h *Hub) fail(err error) {
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

// Tap is one user's view of the stream: the newest frame wins, an older
// one not yet taken is released (wiped).
type Tap struct {
	width  int
	every  time.Duration
	last   time.Time // of the last frame delivered; only the pump uses it
	frames chan *camera.Frame
	errs   chan error
	gone   chan struct{} // closed when its user releases it
}

func (t *Tap) due(now time.Time) bool {
	if t.every > 0 && !t.last.IsZero() && now.Sub(t.last) < t.every {
		return false
	}
	t.last = now
	return true
}

// deliver never blocks: the pump is the only sender.
func (t *Tap) deliver(f *camera.Frame) {
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
func (t *Tap) wait(ctx context.Context, f *camera.Frame) {
	select {
	case t.frames <- f:
	case <-t.gone:
		f.Release()
	case <-ctx.Done():
		f.Release()
	}
}

// Next waits for a frame, a stream failure or ctx. The caller owns the
// frame and must Release it.
func (t *Tap) Next(ctx context.Context) (*camera.Frame, error) {
	select {
	case f := <-t.frames:
		return f, nil
	case err := <-t.errs:
		return nil, err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (t *Tap) drain() {
	for {
		select {
		case f := <-t.frames:
			f.Release()
		default:
			return
		}
	}
}

// SelfTest opens the camera (or joins its current use), waits at most
// wait for one frame and lets it go.
func (h *Hub) SelfTest(ctx context.Context, wait time.Duration) error {
	t, err := h.Acquire(160, 0)
	if err != nil {
		return err
	}
	defer h.Release(t)
	ctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	f, err := t.Next(ctx)
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("camera: no frame within %v of starting the stream: check the camera with `ventanillactl devices`", wait)
	}
	if err != nil {
		return err
	}
	f.Release()
	return nil
}
