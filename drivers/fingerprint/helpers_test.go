package fingerprint_test

import (
	"context"
	"errors"
	"io"
	"path/filepath"
	"sync"
	"testing"
	"testing/iotest"
	"time"

	fp "github.com/ventanilla-mx/ventanilla/drivers/fingerprint"
	"github.com/ventanilla-mx/ventanilla/drivers/sim"
)

// rig is an emulated module on a real pseudo-terminal behind a stable
// link, and a driver on it.
type rig struct {
	t      testing.TB
	dev    *sim.Device
	pty    *sim.PTY
	s      *fp.R30x
	opts   *fp.Opts
	events chan fp.StateEvent
}

func newRig(t testing.TB, cfg sim.Config, popts sim.PTYOpts, mod func(*fp.Opts)) *rig {
	t.Helper()
	dev, err := sim.NewDevice(cfg)
	if err != nil {
		t.Fatal(err)
	}
	popts.Link = filepath.Join(t.TempDir(), "scanner")
	p, err := sim.NewPTY(dev, popts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	r := &rig{t: t, dev: dev, pty: p, events: make(chan fp.StateEvent, 100)}
	o := fp.DefaultOpts()
	o.Path = p.Path()
	o.Baud = 57600
	o.CommandTimeout = 250 * time.Millisecond
	o.CaptureTimeout = 3 * time.Second
	o.PollInterval = 10 * time.Millisecond
	o.OnState = func(ev fp.StateEvent) {
		select {
		case r.events <- ev:
		default:
		}
	}
	if mod != nil {
		mod(o)
	}
	r.opts = o
	if r.s, err = fp.New(o); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.s.Close() })
	return r
}

// unpaced is a rig for functional tests: the pty runs as fast as it can.
func unpaced(t *testing.T, cfg sim.Config, mod func(*fp.Opts)) *rig {
	return newRig(t, cfg, sim.PTYOpts{Unpaced: true}, mod)
}

// ctx bounds a test step: if the driver ever hung, the step fails with a
// context error instead of stalling the suite.
func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return c
}

// place puts synthetic finger 1, impression n, on the sensor and returns
// the image the driver should read back (4-bit precision).
func (r *rig) place(n int) []byte {
	img := r.dev.Synthetic(1, n)
	if err := r.dev.Place(img); err != nil {
		r.t.Fatal(err)
	}
	return img
}

// sameImage checks the driver's image against the emulator's at 4-bit
// precision: every pixel keeps its high nibble.
func sameImage(t *testing.T, got *fp.Image, want []byte) {
	t.Helper()
	if got == nil || len(got.Pix) != len(want) {
		t.Fatalf("image of %v, want %d pixels", got, len(want))
	}
	for i := range want {
		if got.Pix[i]>>4 != want[i]>>4 {
			t.Fatalf("pixel %d = %d, want %d within the 4-bit step", i, got.Pix[i], want[i])
		}
	}
}

// waitState waits for an OnState event with state st.
func (r *rig) waitState(st fp.State) fp.StateEvent {
	r.t.Helper()
	timeout := time.After(20 * time.Second)
	for {
		select {
		case ev := <-r.events:
			if ev.State == st {
				return ev
			}
		case <-timeout:
			r.t.Fatalf("no %v event", st)
		}
	}
}

// flakyPort wraps a port so reads come through an iotest reader (one byte
// at a time, half the bytes...), as a slow or fragmented line delivers them.
type flakyPort struct {
	fp.Port
	r io.Reader
}

func (f *flakyPort) Read(b []byte) (int, error) { return f.r.Read(b) }

func flaky(wrap func(io.Reader) io.Reader) fp.OpenFunc {
	return func(path string, baud int) (fp.Port, error) {
		p, err := fp.OpenSerial(path, baud)
		if err != nil {
			return nil, err
		}
		return &flakyPort{Port: p, r: wrap(p)}, nil
	}
}

var (
	_ = iotest.OneByteReader
)

// fakeClock is a Clock that moves only when the test says so.
type fakeClock struct {
	mu      sync.Mutex
	now     time.Time
	waiters []waiter
	added   chan struct{}
}

type waiter struct {
	at time.Time
	ch chan time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Unix(1_700_000_000, 0), added: make(chan struct{}, 1000)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan time.Time, 1)
	if d <= 0 {
		ch <- c.now
		return ch
	}
	c.waiters = append(c.waiters, waiter{c.now.Add(d), ch})
	c.added <- struct{}{}
	return ch
}

// advanceToNext moves time to the earliest pending timer and fires it.
func (c *fakeClock) advanceToNext() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.waiters) == 0 {
		return 0
	}
	next := 0
	for i, w := range c.waiters {
		if w.at.Before(c.waiters[next].at) {
			next = i
		}
	}
	w := c.waiters[next]
	c.waiters = append(c.waiters[:next], c.waiters[next+1:]...)
	d := w.at.Sub(c.now)
	c.now = w.at
	w.ch <- c.now
	return d
}

func errorsIsUnavailable(err error) bool { return errors.Is(err, fp.ErrUnavailable) }
