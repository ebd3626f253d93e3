package daemon

import (
	"context"
	"errors"
	"net/http"
	"os"
	"time"
)

// start declares the built-in conditions, wires subsystems, registers the
// endpoints and starts every loop. READY=1 is sent once the listeners are
// bound and served.
func (s *System) start(opts Options, ls *listeners) {
	cfg := s.Config
	mon := declareMonitors(s.Health, cfg, opts.ClockSynced)
	s.Health.RegisterCheck(healthCheck("statedir.write", func(context.Context) error {
		return probeStateDir(cfg.Paths.StateDir)
	}))
	if opts.wire != nil {
		opts.wire(s)
	} else {
		wireAll(s)
	}
	s.routes()
	grace := cfg.Shutdown.Timeout.D()
	diagSrv := &http.Server{Handler: s.diag.mux, ConnContext: withPeer, ReadHeaderTimeout: 5 * time.Second}
	s.Go("diagnostics", func(ctx context.Context) error { return serveHTTP(ctx, diagSrv, ls.diag, grace) })
	if ls.metrics != nil {
		tcp := &http.Server{Handler: s.publicMux(), ReadHeaderTimeout: 5 * time.Second}
		s.Go("metrics-listener", func(ctx context.Context) error { return serveHTTP(ctx, tcp, ls.metrics, grace) })
	}
	monLoop := s.loops.register("monitors", cfg.Health.LoopStallTime.D())
	s.Go("monitors", func(ctx context.Context) error { return mon.run(ctx, cfg.Health.CheckInterval.D(), monLoop) })
	s.activated = ls.activated
	s.notifyReady(opts)
}

func (s *System) notifyReady(opts Options) {
	if err := opts.Notifier.Notify("READY=1"); err != nil {
		s.Log.Warn("sd_notify READY failed", "err", err)
	}
	s.Log.Info("ventanillad ready", "version", Version, "kiosk", s.Config.Kiosk.ID,
		"diag_socket", s.Config.SocketPath())
	tick := s.Config.Health.CheckInterval.D()
	s.Go("systemd-status", func(ctx context.Context) error {
		return statusLoop(ctx, opts.Notifier, s.Health, tick, s.Log)
	})
	if opts.WatchdogInterval > 0 {
		wd := &watchdog{notifier: opts.Notifier, interval: opts.WatchdogInterval,
			loops: s.loops, health: s.Health, log: s.Log}
		s.Go("watchdog", wd.run)
	}
}

// runUntilDone waits for the root context or a failed loop, then stops
// everything within the shutdown timeout.
func (s *System) runUntilDone(opts Options) error {
	<-s.group.ctx.Done()
	if err := opts.Notifier.Notify("STOPPING=1"); err != nil {
		s.Log.Warn("sd_notify STOPPING failed", "err", err)
	}
	s.Log.Info("ventanillad stopping", "timeout", s.Config.Shutdown.Timeout.D().String())
	s.group.cancel(context.Canceled)
	err := s.group.Wait(s.Config.Shutdown.Timeout.D())
	if !s.activated { // else systemd owns the socket file and keeps it for the next start
		s.removeSocket()
	}
	if err != nil {
		s.Log.Error("ventanillad stopped with an error", "err", err)
		return err
	}
	s.Log.Info("ventanillad stopped")
	return nil
}

func (s *System) removeSocket() {
	if err := os.Remove(s.Config.SocketPath()); err != nil && !errors.Is(err, os.ErrNotExist) {
		s.Log.Warn("could not remove diagnostics socket", "err", err)
	}
}
