package client

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"time"

	"github.com/ventanilla-mx/ventanilla/capture/proto"
	"github.com/ventanilla-mx/ventanilla/secmem"
	"github.com/ventanilla-mx/ventanilla/session"
)

// ErrUnavailable: the capture process is not running (starting, or
// restarting after it died).
var ErrUnavailable = errors.New("capture process unavailable")

// Hooks tell the daemon what happens (health, devices, metrics). They are
// called from the client's goroutines and must not block.
type Hooks interface {
	// Up: the process is (true) or is not (false, with the cause) ready.
	Up(ok bool, cause error)
	// Camera: the camera's state and counters changed.
	Camera(c proto.Camera)
	// Models: the process could not load its models.
	Models(msg string)
	// Decided: a capture ended with a liveness decision (live, spoof,
	// uncertain) and its reason (a cue or rule name; "" when live).
	Decided(decision, reason string)
}

// Beater is the watchdog's view of the supervision loop.
type Beater interface{ Beat() }

// Options configure the client.
type Options struct {
	Binary string   // the ventanilla-capture executable
	Args   []string // default: ["serve"]
	Config proto.Config
	Alloc  session.Allocator // locked memory for best shots (they become the engine's)
	Hooks  Hooks
	Stderr io.Writer // the process's stderr (the daemon's journal); nil: discarded
	// BackoffMin and BackoffMax bound the wait before a restart (defaults
	// 100 ms and 5 s); it doubles after each start that did not reach Ready.
	BackoffMin, BackoffMax time.Duration
	// Loop, when set, is beaten each time the supervision loop restarts
	// the process and each time a Pong comes through the reader.
	Loop Beater
}

// Client supervises the capture process.
type Client struct {
	o Options
	// recv holds the receive buffer of each process: locked memory of
	// its own, so the caller's allocator counts only what it is handed.
	recv *secmem.Allocator

	mu      sync.Mutex
	p       *proc // nil while not ready
	readyCh chan struct{}
	pid     int

	tick <-chan time.Time // tests: the pings' pace instead of PingEvery
}

var (
	_ session.FaceCapturer = (*Client)(nil)
	_ session.Previewer    = (*Client)(nil)
)

// New returns a client; Run starts and supervises the process.
func New(o Options) *Client {
	if len(o.Args) == 0 {
		o.Args = []string{"serve"}
	}
	if o.BackoffMin <= 0 {
		o.BackoffMin = 100 * time.Millisecond
	}
	if o.BackoffMax <= 0 {
		o.BackoffMax = 5 * time.Second
	}
	if o.Hooks == nil {
		o.Hooks = nopHooks{}
	}
	return &Client{o: o, recv: secmem.NewAllocator(nil), readyCh: make(chan struct{})}
}

type nopHooks struct{}

func (nopHooks) Up(bool, error)         {}
func (nopHooks) Camera(proto.Camera)    {}
func (nopHooks) Models(string)          {}
func (nopHooks) Decided(string, string) {}

// Run starts the process and restarts it when it dies, until ctx is done;
// then it stops it (SIGTERM, then SIGKILL after 2 s) and returns nil.
func (c *Client) Run(ctx context.Context) error {
	wait := c.o.BackoffMin
	for ctx.Err() == nil {
		c.beat()
		ready, err := c.runOnce(ctx)
		if ctx.Err() != nil {
			return nil
		}
		c.o.Hooks.Up(false, err)
		if ready {
			wait = c.o.BackoffMin
		}
		if !c.sleep(ctx, wait) {
			return nil
		}
		if !ready {
			wait = min(2*wait, c.o.BackoffMax)
		}
	}
	return nil
}

// sleep waits d (at most BackoffMax, well inside the watchdog's stall).
func (c *Client) sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

func (c *Client) beat() {
	if c.o.Loop != nil {
		c.o.Loop.Beat()
	}
}

// PID is the running process's id (0 when none); for tests and status.
func (c *Client) PID() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.pid
}

// WaitReady waits until a process is ready.
func (c *Client) WaitReady(ctx context.Context) error {
	for {
		c.mu.Lock()
		p, ch := c.p, c.readyCh
		c.mu.Unlock()
		if p != nil {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// runOnce starts one process and serves it until it dies or ctx ends.
func (c *Client) runOnce(ctx context.Context) (ready bool, err error) {
	p, cmd, err := c.start()
	if err != nil {
		return false, err
	}
	c.mu.Lock()
	c.pid = cmd.Process.Pid
	c.mu.Unlock()
	p.onReady = func() {
		ready = true
		c.mu.Lock()
		c.p = p
		close(c.readyCh)
		c.readyCh = make(chan struct{})
		c.mu.Unlock()
		c.o.Hooks.Up(true, nil)
	}
	if err := p.send(proto.TConfigure, proto.EncodeJSON(c.o.Config)); err != nil {
		p.conn.Close()
	}
	err = c.supervise(ctx, p, cmd)
	c.mu.Lock()
	if c.p == p {
		c.p = nil
	}
	c.pid = 0
	c.mu.Unlock()
	p.die(err)
	p.conn.Close()
	werr := cmd.Wait()
	if err == nil || errors.Is(err, io.EOF) {
		err = fmt.Errorf("capture process exited: %v", werr)
	}
	return ready, err
}

// start spawns the process with its end of a socketpair as fd 3.
func (c *Client) start() (*proc, *exec.Cmd, error) {
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_SEQPACKET|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, nil, fmt.Errorf("capture: socketpair: %w", err)
	}
	mine, theirs := os.NewFile(uintptr(fds[0]), "capture"), os.NewFile(uintptr(fds[1]), "capture-child")
	defer theirs.Close()
	cmd := exec.Command(c.o.Binary, c.o.Args...)
	cmd.ExtraFiles = []*os.File{theirs}
	cmd.Stdout, cmd.Stderr = c.o.Stderr, c.o.Stderr
	cmd.Env = []string{"PATH=/usr/bin:/bin", "LANG=C.UTF-8"}
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		mine.Close()
		return nil, nil, fmt.Errorf("capture: start %s: %w", c.o.Binary, err)
	}
	fc, err := net.FileConn(mine)
	mine.Close()
	if err != nil {
		cmd.Process.Kill()
		cmd.Wait()
		return nil, nil, fmt.Errorf("capture: %w", err)
	}
	p, err := newProc(fc.(*net.UnixConn), c.o, secmem.Secrets(c.recv))
	if err != nil {
		fc.Close()
		cmd.Process.Kill()
		cmd.Wait()
		return nil, nil, err
	}
	return p, cmd, nil
}

// PingEvery is how often the supervision loop asks the capture process
// whether its request loop turns. Each Pong, once the client's reader has
// dispatched it, beats the watchdog: a beat proves the process answers,
// the socket carries, and the reader is not stuck behind a hook or a
// consumer. PingMisses ticks without the last Ping answered mean a wedge:
// the process is killed and, once the reader has let go, restarted.
const (
	PingEvery  = time.Second
	PingMisses = 10
)

// errWedged: the capture process (or the client's reader) stopped
// answering Pings.
var errWedged = errors.New("capture process: pings unanswered")

// supervise reads the process's messages (in a goroutine of its own) and
// pings it until the socket fails or the pings go unanswered; when ctx
// ends it stops the process (SIGTERM, then SIGKILL after 2 s).
func (c *Client) supervise(ctx context.Context, p *proc, cmd *exec.Cmd) error {
	done := make(chan error, 1)
	go func() { done <- p.read() }()
	tick, stop := c.ticker()
	defer stop()
	var sent uint64
	missed := 0
	for {
		select {
		case err := <-done:
			return err
		case <-tick:
			if p.answered.Load() == sent {
				sent, missed = sent+1, 0
				p.send(proto.TPing, proto.EncodeSeq(sent))
				continue
			}
			if missed++; missed < PingMisses {
				continue
			}
			cmd.Process.Kill()
			p.abandon()
			<-done // a reader stuck in a hook keeps us here: no beat
			return fmt.Errorf("%w (%d in a row)", errWedged, missed)
		case <-ctx.Done():
			cmd.Process.Signal(syscall.SIGTERM)
			kill := time.AfterFunc(2*time.Second, func() { cmd.Process.Kill() })
			err := <-done
			kill.Stop()
			return err
		}
	}
}

// ticker paces the pings (tests drive it by hand).
func (c *Client) ticker() (<-chan time.Time, func()) {
	if c.tick != nil {
		return c.tick, func() {}
	}
	t := time.NewTicker(PingEvery)
	return t.C, t.Stop
}

// current is the ready process, or ErrDevice.
func (c *Client) current() (*proc, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.p == nil {
		return nil, fmt.Errorf("face: %w: %w", session.ErrDevice, ErrUnavailable)
	}
	return c.p, nil
}
