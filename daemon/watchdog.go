package daemon

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/ventanilla-mx/ventanilla/daemon/diagapi"
	"github.com/ventanilla-mx/ventanilla/health"
)

// loops tracks the daemon's main loops. Each loop checks in (Beat) every
// time round; the watchdog pings systemd only while every loop has checked
// in within its stall time, so a wedged loop gets the daemon restarted.
type loops struct {
	now func() time.Time
	mu  sync.Mutex
	m   map[string]*loop
}

type loop struct {
	name  string
	stall time.Duration
	last  time.Time
	owner *loops
}

func newLoops(now func() time.Time) *loops {
	return &loops{now: now, m: make(map[string]*loop)}
}

// register declares a loop that must beat at least every stall.
func (ls *loops) register(name string, stall time.Duration) *loop {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	l := &loop{name: name, stall: stall, last: ls.now(), owner: ls}
	ls.m[name] = l
	return l
}

// Beat records that the loop made progress.
func (l *loop) Beat() {
	l.owner.mu.Lock()
	l.last = l.owner.now()
	l.owner.mu.Unlock()
}

// stalled lists loops that have not beaten within their stall time.
func (ls *loops) stalled() []string {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	now := ls.now()
	var out []string
	for name, l := range ls.m {
		if now.Sub(l.last) > l.stall {
			out = append(out, name)
		}
	}
	return out
}

func (ls *loops) states() []diagapi.LoopState {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	now := ls.now()
	out := make([]diagapi.LoopState, 0, len(ls.m))
	for _, l := range ls.m {
		out = append(out, diagapi.LoopState{Name: l.name, LastBeat: l.last,
			StallTime: l.stall.String(), Stalled: now.Sub(l.last) > l.stall})
	}
	return out
}

// watch registers name with the watchdog and calls fn now and then every
// interval, beating after each return. fn must go through the part's own
// lock or loop (a cheap read that takes the same mutex its work holds), so
// when the part wedges fn blocks, the beats stop and, after stall, so do
// the watchdog's pings. A wedged probe stays blocked at shutdown too, and
// the group names it.
func (s *System) watch(name string, every, stall time.Duration, fn func()) {
	l := s.loops.register(name, stall)
	s.Go(name+".watch", func(ctx context.Context) error {
		watchLoop(ctx, every, fn, l)
		return nil
	})
}

// watchLoop calls fn and beats l, now and every interval, until ctx ends.
func watchLoop(ctx context.Context, every time.Duration, fn func(), l interface{ Beat() }) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		fn()
		l.Beat()
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// watchdog pings systemd at half the interval while the daemon is healthy:
// no loop stalled and no critical condition visible. When it withholds a
// ping it logs why once per episode, so the journal explains the restart.
type watchdog struct {
	notifier Notifier
	interval time.Duration // WatchdogSec; pings every interval/2
	loops    *loops
	health   *health.Registry
	log      *slog.Logger
	tick     <-chan time.Time // tests drive the rounds; nil: every interval/2
}

func (w *watchdog) run(ctx context.Context) error {
	if w.tick == nil {
		t := time.NewTicker(w.interval / 2)
		defer t.Stop()
		w.tick = t.C
	}
	withheld := false
	for {
		reason := w.unhealthy()
		switch {
		case reason == "":
			if err := w.notifier.Notify("WATCHDOG=1"); err != nil {
				w.log.Warn("sd_notify WATCHDOG failed", "err", err)
			}
			withheld = false
		case !withheld:
			w.log.Error("withholding watchdog ping; systemd will restart the daemon if this lasts", "reason", reason)
			withheld = true
		}
		select {
		case <-ctx.Done():
			return nil
		case <-w.tick:
		}
	}
}

func (w *watchdog) unhealthy() string {
	if s := w.loops.stalled(); len(s) > 0 {
		return "loops stalled: " + joinSorted(s)
	}
	if c := w.health.Critical(); len(c) > 0 {
		codes := make([]string, len(c))
		for i, s := range c {
			codes[i] = string(s.Code)
		}
		return "critical conditions: " + joinSorted(codes)
	}
	return ""
}
