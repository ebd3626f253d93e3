package daemon

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/ventanilla-mx/ventanilla/daemon/config"
	"github.com/ventanilla-mx/ventanilla/health"
	"github.com/ventanilla-mx/ventanilla/logging"
	"github.com/ventanilla-mx/ventanilla/secmem"
)

// Version is set at build time (-ldflags -X).
var Version = "dev"

// Options are what Run needs beyond the config. Zero values mean production
// behaviour; tests override them.
type Options struct {
	Config *config.Config
	// Stderr receives logs when not on the journal (default os.Stderr).
	Stderr io.Writer
	// Notifier talks to systemd (default: NOTIFY_SOCKET via go-systemd).
	Notifier Notifier
	// WatchdogInterval is systemd's WatchdogSec (default: from WATCHDOG_USEC;
	// zero disables pings).
	WatchdogInterval time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
	// ClockSynced reports clock synchronisation (default: adjtimex).
	ClockSynced func() (bool, error)
	// KeepDumpable leaves the process dumpable (tests that need /proc of
	// their own children); production never sets it.
	KeepDumpable bool

	// wire replaces wireAll (package tests of the foundation or of one
	// subsystem).
	wire func(*System)
}

// System is what wiring code gets: the shared services of one daemon run.
type System struct {
	Config  *config.Config
	Log     *slog.Logger
	Level   *slog.LevelVar
	Health  *health.Registry
	Metrics *prometheus.Registry
	Started time.Time

	now     func() time.Time
	group   *group
	loops   *loops
	diag    *diagServer
	devices devices
	closers closers
	// activated: the diagnostics socket came from systemd, which owns it.
	activated bool
}

// Go runs fn as a goroutine owned by the daemon; it must return when ctx is done.
func (s *System) Go(name string, fn func(ctx context.Context) error) { s.group.Go(name, fn) }

// HandleDiag adds a diagnostics endpoint; write endpoints need root or the admin group.
func (s *System) HandleDiag(pattern string, write bool, h http.Handler) {
	need := readAccess
	if write {
		need = writeAccess
	}
	s.diag.handle(pattern, need, h)
}

// Run runs the daemon until ctx is cancelled (SIGINT/SIGTERM in
// production) or a loop fails. It returns nil after a clean shutdown.
func Run(ctx context.Context, opts Options) error {
	opts = withDefaults(opts)
	sys, err := newSystem(ctx, opts)
	if err != nil {
		return err
	}
	if !opts.KeepDumpable {
		if err := secmem.DisableCoreDumps(); err != nil {
			return fmt.Errorf("daemon: disable core dumps: %w", err)
		}
	}
	listeners, err := sys.listen()
	if err != nil {
		return err
	}
	sys.start(opts, listeners)
	return sys.runUntilDone(opts)
}

func withDefaults(o Options) Options {
	if o.Stderr == nil {
		o.Stderr = os.Stderr
	}
	if o.Notifier == nil {
		o.Notifier = systemdNotifier{}
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.ClockSynced == nil {
		o.ClockSynced = kernelClockSynced
	}
	return o
}

func newSystem(ctx context.Context, opts Options) (*System, error) {
	cfg := opts.Config
	if cfg == nil {
		return nil, errors.New("daemon: no config")
	}
	level := new(slog.LevelVar)
	level.Set(cfg.LogLevel())
	log := slog.New(logging.New(logging.Options{Format: cfg.Log.Format, Level: level, Stderr: opts.Stderr}))
	for _, dir := range []string{cfg.Paths.StateDir, cfg.Paths.RunDir} {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("daemon: create %s: %w (check the unit's StateDirectory/RuntimeDirectory)", dir, err)
		}
	}
	reg := health.NewRegistry(opts.Now)
	started := opts.Now()
	sys := &System{Config: cfg, Log: log, Level: level, Health: reg, Started: started,
		Metrics: newMetrics(reg, float64(started.UnixNano())/1e9),
		now:     opts.Now, group: newGroup(ctx, log), loops: newLoops(opts.Now)}
	sys.diag = newDiagServer(sys.diagPolicy(), log)
	sys.Go("close-parts", sys.closeParts)
	return sys, nil
}

func (s *System) diagPolicy() policy {
	p := policy{selfUID: os.Getuid()}
	var err error
	if p.techGID, err = lookupGID(s.Config.Diagnostics.TechnicianGroup); err != nil {
		s.Log.Warn("diagnostics: technician group unavailable", "err", err)
	}
	if p.adminGID, err = lookupGID(s.Config.Diagnostics.AdminGroup); err != nil {
		s.Log.Warn("diagnostics: admin group unavailable", "err", err)
	}
	return p
}

type listeners struct {
	diag      net.Listener
	activated bool         // diag came from systemd (ventanillad.socket), which owns the file
	metrics   net.Listener // nil when off
}

func (s *System) listen() (*listeners, error) {
	gid, err := lookupGID(s.Config.Diagnostics.SocketGroup)
	if err != nil {
		s.Log.Warn("diagnostics: socket group unavailable; keeping the daemon's group", "err", err)
	}
	mode := os.FileMode(s.Config.Diagnostics.SocketMode.Perm())
	ls := &listeners{}
	if ls.diag, err = activatedListener(s.Config.SocketPath(), s.Log); err != nil {
		return nil, err
	}
	ls.activated = ls.diag != nil
	if !ls.activated {
		if ls.diag, err = listenUnix(s.Config.SocketPath(), mode, gid); err != nil {
			return nil, err
		}
	}
	if addr := s.Config.Diagnostics.MetricsListen; addr != "" {
		if ls.metrics, err = net.Listen("tcp", addr); err != nil {
			ls.diag.Close()
			return nil, fmt.Errorf("diagnostics: metrics listener on %s: %w", addr, err)
		}
	}
	return ls, nil
}
