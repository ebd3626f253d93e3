package fingerprint

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"
)

// Opts configures an R30x. Start from DefaultOpts; the zero value of a
// field means its default.
type Opts struct {
	Path       string // device node, e.g. /dev/ventanilla/scanner (udev symlink)
	Baud       int    // configured line rate; factory default 57600
	ProbeBauds []int  // rates tried, in order, when Baud does not answer
	Address    uint32 // module address; factory 0xFFFFFFFF
	Password   uint32 // handshake password; factory 0
	PacketSize int    // data packet size to set on connect (32/64/128/256); 0 keeps the module's

	CommandTimeout time.Duration // answer deadline for one command, on top of wire time
	CaptureTimeout time.Duration // how long Capture waits for a finger
	PollInterval   time.Duration // pause between GenImg polls
	Retries        int           // repeats of an idempotent command or upload after a transient error
	MinBackoff     time.Duration // Run: first reconnect delay
	MaxBackoff     time.Duration // Run: reconnect delay cap; bounds recovery time after a replug
	HealthInterval time.Duration // Run: idle handshake period; negative disables
	UseLED         bool          // drive the R503 ring LED during capture when present

	Clock   Clock            // time for polls, backoff, capture timeout
	Open    OpenFunc         // opens the line; OpenSerial when nil
	OnState func(StateEvent) // state changes; called with the scanner locked: must not block or call back
	Logger  *slog.Logger
}

// DefaultOpts returns the settings for a factory-configured module on
// /dev/ventanilla/scanner.
func DefaultOpts() *Opts {
	return &Opts{
		Path:           "/dev/ventanilla/scanner",
		Baud:           57600,
		ProbeBauds:     []int{57600, 115200, 9600, 19200, 38400},
		Address:        DefaultAddress,
		CommandTimeout: time.Second,
		CaptureTimeout: 15 * time.Second,
		PollInterval:   100 * time.Millisecond,
		Retries:        2,
		MinBackoff:     100 * time.Millisecond,
		MaxBackoff:     time.Second,
		HealthInterval: 10 * time.Second,
		UseLED:         true,
	}
}

// State is the connection state reported to OnState.
type State int

const (
	StateDisconnected State = iota // not connected yet
	StateReady                     // handshake succeeded; commands work
	StateUnavailable               // device node missing or hung up: unplugged
	StateUnresponsive              // device node present, module silent or garbled
	StateClosed                    // Close was called
)

func (s State) String() string {
	return [...]string{"disconnected", "ready", "unavailable", "unresponsive", "closed"}[s]
}

// StateEvent is one state change.
type StateEvent struct {
	State State
	Err   error // the cause, for StateUnavailable and StateUnresponsive
	Baud  int   // the rate in use, for StateReady
	At    time.Time
}

// R30x drives one R30x/ZFM/AS608/R503 module over a serial line.
type R30x struct {
	opts Opts

	mu      sync.Mutex // held for every exchange; guards the fields below
	link    *link
	info    Info
	state   State
	lastErr error
	closed  bool
	stats   LinkStats

	wake chan struct{} // state left Ready: wakes Run

	opMu     sync.Mutex
	opCancel context.CancelFunc // cancels the Capture in progress (Halt)
}

// New returns a driver for the module at opts.Path. It does not touch the
// device: the first method call, Connect or Run connects.
func New(opts *Opts) (*R30x, error) {
	o := *DefaultOpts()
	if opts != nil {
		o = mergeOpts(o, *opts)
	}
	if o.Path == "" {
		return nil, errors.New("fingerprint: no device path configured (scanner.device)")
	}
	if _, err := BaudCode(o.Baud); err != nil {
		return nil, err
	}
	if o.PacketSize != 0 {
		if _, err := PacketSizeCode(o.PacketSize); err != nil {
			return nil, err
		}
	}
	return &R30x{opts: o, wake: make(chan struct{}, 1)}, nil
}

// mergeOpts fills zero fields of o from the defaults d.
func mergeOpts(d, o Opts) Opts {
	set := func(dst *time.Duration, v time.Duration) {
		if v != 0 {
			*dst = v
		}
	}
	r := o
	r.ProbeBauds = cmpOr(o.ProbeBauds, d.ProbeBauds)
	r.Baud = cmpInt(o.Baud, d.Baud)
	r.Path = cmpStr(o.Path, d.Path)
	r.Retries = cmpInt(o.Retries, d.Retries)
	r.CommandTimeout, r.CaptureTimeout, r.PollInterval = d.CommandTimeout, d.CaptureTimeout, d.PollInterval
	r.MinBackoff, r.MaxBackoff, r.HealthInterval = d.MinBackoff, d.MaxBackoff, d.HealthInterval
	set(&r.CommandTimeout, o.CommandTimeout)
	set(&r.CaptureTimeout, o.CaptureTimeout)
	set(&r.PollInterval, o.PollInterval)
	set(&r.MinBackoff, o.MinBackoff)
	set(&r.MaxBackoff, o.MaxBackoff)
	set(&r.HealthInterval, o.HealthInterval)
	if r.Clock == nil {
		r.Clock = RealClock
	}
	if r.Open == nil {
		r.Open = OpenSerial
	}
	if r.Logger == nil {
		r.Logger = slog.New(slog.DiscardHandler)
	}
	return r
}

func cmpOr(a, b []int) []int {
	if len(a) == 0 {
		return b
	}
	return a
}
func cmpInt(a, b int) int {
	if a == 0 {
		return b
	}
	return a
}
func cmpStr(a, b string) string {
	if a == "" {
		return b
	}
	return a
}

// State returns the current connection state and the error that caused it.
func (s *R30x) State() (State, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state, s.lastErr
}

// Connected returns the connected module's Info without touching the
// line; ok is false when no module is connected.
func (s *R30x) Connected() (info Info, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.state != StateReady || s.link == nil {
		return Info{}, false
	}
	return s.info, true
}

// Stats returns the line counters.
func (s *R30x) Stats() LinkStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stats
}

// setStateLocked records a state change and reports it.
func (s *R30x) setStateLocked(st State, err error) {
	if st == s.state && (err == nil) == (s.lastErr == nil) {
		s.lastErr = err
		return
	}
	s.state, s.lastErr = st, err
	ev := StateEvent{State: st, Err: err, At: s.opts.Clock.Now()}
	if st == StateReady && s.link != nil {
		ev.Baud = s.link.baud
		s.opts.Logger.Info("scanner ready", "model", s.info.Model, "baud", ev.Baud)
	} else if err != nil {
		s.opts.Logger.Warn("scanner state", "state", st.String(), "err", err)
	}
	if st != StateReady {
		select {
		case s.wake <- struct{}{}:
		default:
		}
	}
	if s.opts.OnState != nil {
		s.opts.OnState(ev)
	}
}

// failLocked inspects an operation error: a lost or garbled line drops the
// connection and changes state so Run reconnects (probing the baud again).
// It returns err unchanged.
func (s *R30x) failLocked(err error) error {
	var ce *ConfirmationError
	switch {
	case err == nil || errors.As(err, &ce) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
	case errors.Is(err, ErrUnavailable):
		s.disconnectLocked()
		s.setStateLocked(StateUnavailable, err)
	case errors.Is(err, ErrTimeout) || errors.Is(err, ErrChecksum) || errors.Is(err, ErrProtocol):
		s.disconnectLocked()
		s.setStateLocked(StateUnresponsive, err)
	}
	return err
}

// disconnectLocked closes the line. No Read is in progress: we hold mu.
func (s *R30x) disconnectLocked() {
	if s.link == nil {
		return
	}
	s.link.wipe()
	_ = s.link.port.Close()
	s.link = nil
}

// ensureLocked connects if needed.
func (s *R30x) ensureLocked(ctx context.Context) error {
	if s.closed {
		return ErrClosed
	}
	if s.link != nil {
		return nil
	}
	return s.connectLocked(ctx)
}

// bauds lists the rates to try: the configured one, then the probe list.
func (s *R30x) bauds() []int {
	out := []int{s.opts.Baud}
	for _, b := range s.opts.ProbeBauds {
		if !slices.Contains(out, b) {
			out = append(out, b)
		}
	}
	return out
}

// Connect opens the line and handshakes, probing baud rates if the
// configured one does not answer. Safe to call when connected (no-op).
func (s *R30x) Connect(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ensureLocked(ctx)
}

// connectLocked tries each baud in turn.
func (s *R30x) connectLocked(ctx context.Context) error {
	var last error
	for i, baud := range s.bauds() {
		l, err := s.dial(ctx, baud, i == 0)
		if err == nil {
			return s.setupLocked(ctx, l)
		}
		if errors.Is(err, ErrUnavailable) || errors.Is(err, ErrBadPassword) || ctx.Err() != nil {
			return s.connectFailedLocked(err)
		}
		last = err
	}
	err := fmt.Errorf("fingerprint: %s: no answer at %v baud (last: %v): check the module's power and wiring, scanner.baud and scanner.address: %w",
		s.opts.Path, s.bauds(), last, ErrUnresponsive)
	return s.connectFailedLocked(err)
}

func (s *R30x) connectFailedLocked(err error) error {
	switch {
	case errors.Is(err, ErrUnavailable):
		s.setStateLocked(StateUnavailable, err)
	case isCtxErr(err):
	default:
		s.setStateLocked(StateUnresponsive, err)
	}
	return err
}

func isCtxErr(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// dial opens the line at baud and verifies the password. The configured
// rate gets the usual retries (a power-up 0x55 or noise may hit the first
// try); probed rates get one try each.
func (s *R30x) dial(ctx context.Context, baud int, first bool) (*link, error) {
	p, err := s.opts.Open(s.opts.Path, baud)
	if err != nil {
		return nil, err
	}
	l := newLink(p, s.opts.Address, baud, &s.stats)
	retries := 0
	if first {
		retries = s.opts.Retries
	}
	if _, err := l.command(ctx, cmdVfyPwd, s.opts.CommandTimeout, retries, be32(s.opts.Password)...); err != nil {
		_ = p.Close()
		return nil, fmt.Errorf("fingerprint: %s at %d baud: %w", s.opts.Path, baud, err)
	}
	return l, nil
}

func be32(v uint32) []byte { return []byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)} }
