package client

import (
	"context"
	"errors"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ventanilla-mx/ventanilla/capture/proto"
	"github.com/ventanilla-mx/ventanilla/secmem"
)

// fakeArg makes the test binary a minimal capture process (no OpenCV):
// it says Ready on Configure, answers a SelfTest with a Camera report and
// SelfTestDone, and answers Pings unless its mode is "deaf".
const fakeArg = "fake-capture"

func fakeCapture(mode string) int {
	f := os.NewFile(3, "capture-socket")
	c, err := net.FileConn(f)
	if err != nil {
		return 1
	}
	buf := make([]byte, proto.HeaderLen+proto.MaxJSON)
	for {
		n, err := c.Read(buf)
		if err != nil || n == 0 {
			return 0
		}
		t, p, err := proto.Decode(buf[:n])
		if err != nil {
			return 1
		}
		switch t {
		case proto.TConfigure:
			c.Write(proto.Append(nil, proto.TReady))
		case proto.TPing:
			if mode != "deaf" {
				c.Write(proto.Append(nil, proto.TPong, p))
			}
		case proto.TSelfTest:
			c.Write(proto.Append(nil, proto.TCamera, proto.EncodeJSON(proto.Camera{State: "idle"})))
			c.Write(proto.Append(nil, proto.TSelfTestDone))
		}
	}
}

// countBeats is the watchdog's side of the loop.
type countBeats struct {
	n  atomic.Int64
	ch chan struct{}
}

func (b *countBeats) Beat() {
	b.n.Add(1)
	select {
	case b.ch <- struct{}{}:
	default:
	}
}

// blockingHooks: Camera blocks while wedge is held (a hook stuck on a
// lock, as a wedged daemon part would hold it).
type blockingHooks struct {
	nopHooks
	wedge   sync.RWMutex
	entered chan struct{}
	mu      sync.Mutex
	downs   []error
}

func (h *blockingHooks) Camera(proto.Camera) {
	select {
	case h.entered <- struct{}{}:
	default:
	}
	h.wedge.RLock()
	h.wedge.RUnlock()
}

func (h *blockingHooks) Up(ok bool, err error) {
	if !ok {
		h.mu.Lock()
		h.downs = append(h.downs, err)
		h.mu.Unlock()
	}
}

// wasWedged: the first time the process went down, it was for unanswered
// pings.
func (h *blockingHooks) wasWedged(t *testing.T) {
	t.Helper()
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.downs) == 0 || !errors.Is(h.downs[0], errWedged) {
		t.Errorf("down causes %v; want %v first", h.downs, errWedged)
	}
}

// fakeClient runs the client on the fake process with hand-driven pings.
func fakeClient(t *testing.T, mode string) (*Client, chan time.Time, *countBeats, *blockingHooks) {
	t.Helper()
	ticks := make(chan time.Time)
	beats := &countBeats{ch: make(chan struct{}, 1)}
	h := &blockingHooks{entered: make(chan struct{}, 1)}
	c := New(Options{Binary: os.Args[0], Args: []string{fakeArg, mode}, Alloc: secmem.Secrets(secmem.NewAllocator(nil)),
		Hooks: h, Loop: beats, BackoffMin: time.Millisecond, BackoffMax: time.Millisecond})
	c.tick = ticks
	runReady(t, c)
	return c, ticks, beats, h
}

// tick hands the supervision loop one ping tick; false if it does not take
// it (it is stuck) within a minute.
func tick(ticks chan time.Time) bool {
	select {
	case ticks <- time.Now():
		return true
	case <-time.After(time.Minute):
		return false
	}
}

func waitBeat(t *testing.T, b *countBeats, above int64) {
	t.Helper()
	deadline := time.After(time.Minute)
	for b.n.Load() <= above {
		select {
		case <-b.ch:
		case <-deadline:
			t.Fatalf("no beat past %d", above)
		}
	}
}

// TestWedgedReaderStopsBeats: while the client's reader is stuck in a
// hook, ping ticks produce no beat; after PingMisses ticks the process is
// killed, and the loop beats again only once the reader lets go and a new
// process is up. (With a timer beat, the ticks themselves beat.)
func TestWedgedReaderStopsBeats(t *testing.T) {
	c, ticks, beats, h := fakeClient(t, "answer")
	before := beats.n.Load()
	tick(ticks) // a ping; its pong beats
	waitBeat(t, beats, before)

	h.wedge.Lock()
	go c.SelfTest(context.Background())
	<-h.entered // the reader is now stuck in Camera
	pid, stuck := c.PID(), beats.n.Load()
	for i := range PingMisses + 1 { // one ping sent, then PingMisses unanswered ticks
		if !tick(ticks) {
			t.Fatalf("supervision loop refused tick %d", i)
		}
	}
	if got := beats.n.Load(); got != stuck {
		t.Errorf("%d beats while the reader was wedged", got-stuck)
	}
	h.wedge.Unlock()
	waitBeat(t, beats, stuck)
	waitReplaced(t, c, pid)
	h.wasWedged(t)
}

// TestDeafProcessRestarted: a process whose request loop no longer
// answers earns no beat and is replaced after PingMisses ticks.
func TestDeafProcessRestarted(t *testing.T) {
	c, ticks, beats, h := fakeClient(t, "deaf")
	pid, start := c.PID(), beats.n.Load()
	for i := range PingMisses {
		if !tick(ticks) {
			t.Fatalf("supervision loop refused tick %d", i)
		}
	}
	if got := beats.n.Load(); got != start {
		t.Errorf("%d beats from a process that answers no ping", got-start)
	}
	tick(ticks) // the PingMisses-th miss: killed, restarted
	waitBeat(t, beats, start)
	waitReplaced(t, c, pid)
	h.wasWedged(t)
}

// waitReplaced waits until a process other than pid is ready.
func waitReplaced(t *testing.T, c *Client, pid int) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		c.mu.Lock()
		p, now, ch := c.p, c.pid, c.readyCh
		c.mu.Unlock()
		if p != nil && now != pid {
			return
		}
		select {
		case <-ch:
		case <-time.After(10 * time.Millisecond): // pid changes without a signal
		}
		if time.Now().After(deadline) {
			t.Fatalf("process %d not replaced: pid now %d, ready %v", pid, now, p != nil)
		}
	}
}
