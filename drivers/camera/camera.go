package camera

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gocv.io/x/gocv"
)

// Camera is a source of timestamped frames. Methods other than Next, Stats
// and State must not be called concurrently with each other; Next is for one
// consumer goroutine at a time.
type Camera interface {
	// Format is the negotiated (or replayed) frame format.
	Format() Format
	// Start starts streaming. It returns ErrClosed after Close and is a no-op
	// while already streaming.
	Start(ctx context.Context) error
	// Next blocks until a frame is available, ctx is done, or the stream
	// fails. The caller owns the returned Frame and must Release it.
	// Errors: ErrUnavailable (device gone; retry is safe, the driver is
	// reopening it), io.EOF (a replay that does not loop has ended),
	// ErrNotStarted, ErrClosed, or ctx.Err().
	Next(ctx context.Context) (*Frame, error)
	// Stop stops streaming and releases buffered frames. Start may be called
	// again afterwards.
	Stop() error
	// Stats returns the counters since construction.
	Stats() Stats
	// State is the current state.
	State() State
	// Close stops streaming and releases the device, leaving it inert.
	// Close is idempotent.
	Close() error
}

// Frame is one captured image. Mat is BGR, 8 bits per channel (CV_8UC3).
// Whoever holds the *Frame owns Mat and must call Release once.
type Frame struct {
	Mat  gocv.Mat
	Seq  uint64    // 0, 1, 2, ... per stream, across drops (a gap means a drop)
	Time time.Time // when the driver received the frame, from Opts.Clock

	released bool
}

// Release zeroes the frame's pixels and closes its Mat. It is safe to call
// on a nil Frame and more than once.
func (f *Frame) Release() {
	if f == nil || f.released {
		return
	}
	f.released = true
	Wipe(&f.Mat)
	f.Mat.Close()
}

// Wipe overwrites a Mat's pixel memory with zeros. Call it before Close on
// any Mat that held image data of a face.
func Wipe(m *gocv.Mat) {
	if m != nil && !m.Empty() {
		m.SetTo(gocv.NewScalar(0, 0, 0, 0))
	}
}

// Format describes frames.
type Format struct {
	Width, Height int
	FPS           float64
	FourCC        string // pixel format on the wire ("MJPG", "YUYV"); "" for replay
}

func (f Format) String() string {
	return fmt.Sprintf("%s %dx%d@%g", f.FourCC, f.Width, f.Height, f.FPS)
}

// Stats counts what happened on a camera since construction.
type Stats struct {
	Frames  uint64 // frames delivered by the device or replay
	Dropped uint64 // frames dropped because the consumer was slow
	Reopens uint64 // successful reopens after the device was unavailable
	Errors  uint64 // failed reads and failed reopen attempts
}

// State is a camera's lifecycle state.
type State int

// States, in the order a camera usually goes through them.
const (
	StateIdle        State = iota // open, not streaming
	StateStreaming                // frames flowing
	StateUnavailable              // device gone; reopening with backoff
	StateEnded                    // replay finished
	StateClosed                   // closed for good
)

var stateNames = [...]string{"idle", "streaming", "unavailable", "ended", "closed"}

func (s State) String() string {
	if int(s) < len(stateNames) {
		return stateNames[s]
	}
	return fmt.Sprintf("state(%d)", int(s))
}

// Sentinel errors. Test with errors.Is.
var (
	// ErrUnavailable: the device cannot be opened or stopped delivering
	// frames (unplugged, busy, USB error). Retry is safe: the driver keeps
	// reopening it in the background while streaming.
	ErrUnavailable = errors.New("camera: device unavailable; check the USB cable and `ventanillactl devices`")
	// ErrNoFormat: the device offers none of the acceptable modes. Retry is
	// pointless until the configuration or the device changes.
	ErrNoFormat = errors.New("camera: no acceptable resolution/fps/pixel format; see docs/camera.md")
	// ErrNotStarted: Next was called before Start or after Stop.
	ErrNotStarted = errors.New("camera: not streaming; call Start first")
	// ErrClosed: the camera was closed.
	ErrClosed = errors.New("camera: closed")
)

// DeviceError carries the device and operation of a failure. It matches
// ErrUnavailable or ErrNoFormat through errors.Is.
type DeviceError struct {
	Device string // stable path or "index N"; never image data
	Op     string // "open", "read", "negotiate", ...
	Err    error
}

func (e *DeviceError) Error() string {
	return fmt.Sprintf("camera %s: %s: %v", e.Device, e.Op, e.Err)
}

func (e *DeviceError) Unwrap() error { return e.Err }

// Clock is the time source. Tests inject a fake or run inside
// testing/synctest with RealClock.
type Clock interface {
	Now() time.Time
	After(d time.Duration) <-chan time.Time
}

// RealClock is the system clock.
type RealClock struct{}

// Now returns time.Now().
func (RealClock) Now() time.Time { return time.Now() }

// After returns time.After(d).
func (RealClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// Opts are the streaming options shared by every implementation.
type Opts struct {
	// Buffer is the number of frames held for a slow consumer (>= 1).
	Buffer int
	// ReopenMin and ReopenMax bound the exponential backoff between reopen
	// attempts after the device became unavailable.
	ReopenMin, ReopenMax time.Duration
	// ReadFailures is how many consecutive failed reads mean "unavailable".
	ReadFailures int
	// OnState, when set, is called from the streaming goroutine on every
	// state change, with the cause for StateUnavailable. It must not block
	// and must not call the Camera's methods other than Stats and State.
	OnState func(s State, cause error)
	// Clock is the time source; nil means RealClock.
	Clock Clock
}

// DefaultOpts returns the options the daemon uses unless configured.
func DefaultOpts() *Opts {
	return &Opts{Buffer: 2, ReopenMin: 250 * time.Millisecond, ReopenMax: 5 * time.Second, ReadFailures: 5}
}

func (o *Opts) withDefaults() Opts {
	d := *DefaultOpts()
	if o == nil {
		d.Clock = RealClock{}
		return d
	}
	r := *o
	if r.Buffer < 1 {
		r.Buffer = d.Buffer
	}
	if r.ReopenMin <= 0 {
		r.ReopenMin = d.ReopenMin
	}
	if r.ReopenMax < r.ReopenMin {
		r.ReopenMax = max(d.ReopenMax, r.ReopenMin)
	}
	if r.ReadFailures < 1 {
		r.ReadFailures = d.ReadFailures
	}
	if r.Clock == nil {
		r.Clock = RealClock{}
	}
	return r
}
