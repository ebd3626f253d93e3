package sim

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"
)

// PTYOpts configures the line side of the emulator.
type PTYOpts struct {
	// Link is a stable path (like /dev/ventanilla/scanner) kept pointing at
	// the current pseudo-terminal; empty means none. Its directory must exist.
	Link string
	// Unpaced sends as fast as the pty takes bytes instead of at the
	// emulated baud (10 bits per byte). For fast functional tests only.
	Unpaced bool
	// PowerOnByte sends the R503's 0x55 after each plug; default: R503 only.
	PowerOnByte *bool
	Seed        uint64 // garbage bytes; 0 means 1
	Logger      *slog.Logger
}

// PTY attaches a Device to a real pseudo-terminal. The driver opens the
// terminal side (Path) like a USB-UART adapter. Unplug closes the
// pseudo-terminal (the driver sees a hangup) and removes the link; Plug
// makes a new one. It models the line: pacing at the module's baud, a
// baud mismatch (the speed the driver set with termios, read back through
// the master, differs from the module's: the module hears noise and stays
// silent), and armed faults.
type PTY struct {
	dev  *Device
	opts PTYOpts

	mu      sync.Mutex
	master  *os.File // pollable: Close unblocks the serve loop's Read
	slave   *os.File // kept open so the master never sees EIO between opens
	tty     string
	done    chan struct{}
	faults  []Fault
	rng     *rand.Rand
	stats   LineStats
	changed chan struct{} // closed and replaced whenever stats change
	wg      sync.WaitGroup
	closed  bool
	plugged bool
}

// LineStats counts line activity.
type LineStats struct {
	Plugs, Unplugs  int
	CommandsIn      uint64
	BytesOut        uint64
	MismatchedBytes uint64 // bytes heard at the wrong baud, ignored
}

// NewPTY plugs dev into a new pseudo-terminal.
func NewPTY(dev *Device, opts PTYOpts) (*PTY, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Seed == 0 {
		opts.Seed = 1
	}
	p := &PTY{dev: dev, opts: opts, rng: rand.New(rand.NewPCG(opts.Seed, 0x5CA))}
	if err := p.Plug(); err != nil {
		return nil, err
	}
	return p, nil
}

// Path is where the driver opens the module: the link when configured,
// else the current terminal.
func (p *PTY) Path() string {
	if p.opts.Link != "" {
		return p.opts.Link
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.tty
}

// TTY is the current pseudo-terminal ("" while unplugged).
func (p *PTY) TTY() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.tty
}

// Device returns the emulated module.
func (p *PTY) Device() *Device { return p.dev }

// Stats returns the line counters.
func (p *PTY) Stats() LineStats {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stats
}

// Await blocks until cond holds for the line counters, or ctx ends: how a
// test waits for the driver to reach a point on the line without polling.
func (p *PTY) Await(ctx context.Context, cond func(LineStats) bool) error {
	for {
		p.mu.Lock()
		st, ch := p.stats, p.changed
		p.mu.Unlock()
		if cond(st) {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// Arm queues a fault for the next response(s).
func (p *PTY) Arm(f Fault) {
	f.Times = max(f.Times, 1)
	p.mu.Lock()
	defer p.mu.Unlock()
	p.faults = append(p.faults, f)
}

// Plugged reports whether the module is attached.
func (p *PTY) Plugged() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.plugged
}

// Plug attaches the module to a new pseudo-terminal and (re)points the link.
func (p *PTY) Plug() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return errors.New("sim: emulator closed")
	}
	if p.plugged {
		return nil
	}
	master, slave, err := openPTY()
	if err != nil {
		return err
	}
	if err := p.linkTo(slave.Name()); err != nil {
		master.Close()
		slave.Close()
		return err
	}
	p.master, p.slave, p.tty, p.plugged = master, slave, slave.Name(), true
	p.done = make(chan struct{})
	p.stats.Plugs++
	p.statsChangedLocked()
	p.dev.PowerCycle()
	p.wg.Add(1)
	go p.serve(master, p.done)
	p.opts.Logger.Info("sim scanner plugged", "tty", p.tty, "path", p.opts.Link)
	return nil
}

// openPTY opens a pseudo-terminal pair in raw mode and returns a pollable
// master (creack/pty leaves it in blocking mode; a blocking master cannot
// be closed under a pending Read).
func openPTY() (master, slave *os.File, err error) {
	m, s, err := pty.Open()
	if err != nil {
		return nil, nil, fmt.Errorf("sim: open pty: %w", err)
	}
	fd, err := unix.Dup(int(m.Fd()))
	m.Close()
	if err == nil {
		err = unix.SetNonblock(fd, true)
	}
	if err == nil {
		err = makeRaw(s)
	}
	if err != nil {
		s.Close()
		return nil, nil, fmt.Errorf("sim: set up pty: %w", err)
	}
	return os.NewFile(uintptr(fd), "/dev/ptmx"), s, nil
}

// makeRaw puts the terminal in raw 8N1 mode at the factory rate, like an
// idle UART: no echo, no line editing, no byte translation.
func makeRaw(f *os.File) error {
	t, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	if err != nil {
		return err
	}
	t.Iflag &^= unix.IGNBRK | unix.BRKINT | unix.PARMRK | unix.ISTRIP | unix.INLCR | unix.IGNCR | unix.ICRNL | unix.IXON
	t.Oflag &^= unix.OPOST
	t.Lflag &^= unix.ECHO | unix.ECHONL | unix.ICANON | unix.ISIG | unix.IEXTEN
	t.Cflag &^= unix.CSIZE | unix.PARENB | unix.CBAUD
	t.Cflag |= unix.CS8 | unix.B57600
	return unix.IoctlSetTermios(int(f.Fd()), unix.TCSETS, t)
}

// linkTo atomically points the stable link at tty.
func (p *PTY) linkTo(tty string) error {
	if p.opts.Link == "" {
		return nil
	}
	tmp := p.opts.Link + ".tmp"
	_ = os.Remove(tmp)
	if err := os.Symlink(tty, tmp); err != nil {
		return fmt.Errorf("sim: link %s: %w", p.opts.Link, err)
	}
	return os.Rename(tmp, filepath.Clean(p.opts.Link))
}

// Unplug removes the link and closes the pseudo-terminal: a driver holding
// it open sees a hangup, a driver opening the path finds nothing.
func (p *PTY) Unplug() error {
	p.mu.Lock()
	if !p.plugged {
		p.mu.Unlock()
		return nil
	}
	if p.opts.Link != "" {
		_ = os.Remove(p.opts.Link)
	}
	close(p.done)
	p.master.Close()
	p.slave.Close()
	p.plugged, p.tty = false, ""
	p.stats.Unplugs++
	p.statsChangedLocked()
	p.mu.Unlock()
	p.wg.Wait()
	p.opts.Logger.Info("sim scanner unplugged")
	return nil
}

// Close unplugs for good.
func (p *PTY) Close() error {
	err := p.Unplug()
	p.mu.Lock()
	p.closed = true
	p.mu.Unlock()
	return err
}

// SendPowerOn sends the R503's power-up byte 0x55 now.
func (p *PTY) SendPowerOn() error {
	p.mu.Lock()
	m, plugged := p.master, p.plugged
	p.mu.Unlock()
	if !plugged {
		return errors.New("sim: unplugged")
	}
	_, err := m.Write([]byte{0x55})
	return err
}
