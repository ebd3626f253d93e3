package daemon

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ventanilla-mx/ventanilla/daemon/daemontest"
	"github.com/ventanilla-mx/ventanilla/health"
	"github.com/ventanilla-mx/ventanilla/session"
	"github.com/ventanilla-mx/ventanilla/session/sessiontest"
	"github.com/ventanilla-mx/ventanilla/web"
)

// beatSpy is a watchdog loop that also tells the test of every beat.
type beatSpy struct {
	l     *loop
	beats chan struct{}
}

func (b beatSpy) Beat() {
	b.l.Beat()
	b.beats <- struct{}{}
}

// drivenWatchdog is the production watchdog with its rounds driven by the
// test: round returns whether that round pinged systemd.
type drivenWatchdog struct {
	n    *recNotifier
	tick chan time.Time
}

func startWatchdog(t *testing.T, ctx context.Context, ls *loops, reg *health.Registry) *drivenWatchdog {
	d := &drivenWatchdog{n: newRecNotifier(), tick: make(chan time.Time)}
	w := &watchdog{notifier: d.n, interval: time.Minute, loops: ls, health: reg, log: discardLog(), tick: d.tick}
	done := make(chan struct{})
	go func() { w.run(ctx); close(done) }()
	t.Cleanup(func() { <-done })
	return d
}

// round lets the watchdog finish the round in progress and run one more;
// the second send returns only once the first round is done.
func (d *drivenWatchdog) round() bool {
	for len(d.n.ch) > 0 {
		<-d.n.ch
	}
	d.tick <- time.Time{}
	d.tick <- time.Time{}
	pinged := false
	for len(d.n.ch) > 0 {
		if <-d.n.ch == "WATCHDOG=1" {
			pinged = true
		}
	}
	return pinged
}

// TestWedgedEngineStopsWatchdog: the session engine's watchdog loop beats
// through the engine's own lock. While a call holds that lock (here a
// Snapshot blocked in a port), the beats stop and, once the stall time
// has passed, so do the pings; when the lock is given back both resume.
// Time is a fake clock and the watchdog's rounds are driven by the test.
func TestWedgedEngineStopsWatchdog(t *testing.T) {
	clk := &offsetClock{}
	reg := health.NewRegistry(clk.now)
	nudge := reg.Declare(health.Condition{Code: "test.nudge", Severity: health.Info})
	gate, entered := make(chan struct{}), make(chan struct{}, 1)
	var armed atomic.Bool
	engine := newTestEngine(t, func() session.Readiness {
		if armed.CompareAndSwap(true, false) {
			entered <- struct{}{}
			<-gate // a port that never returns, called under the engine's lock
		}
		return session.Readiness{}
	})
	ls := newLoops(clk.now)
	spy := beatSpy{l: ls.register("session-engine", 30*time.Second), beats: make(chan struct{}, 64)}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	watcherDone := make(chan struct{})
	go func() { watchReadiness(reg, engine, spy)(ctx); close(watcherDone) }()
	defer func() { cancel(); <-watcherDone }()
	defer func() { // on a failure, free the engine so the watcher can stop
		select {
		case <-gate:
		default:
			close(gate)
		}
	}()
	<-spy.beats
	wd := startWatchdog(t, ctx, ls, reg)
	if !wd.round() {
		t.Fatal("no ping from a healthy engine")
	}

	armed.Store(true)
	snapDone := make(chan struct{})
	go func() { engine.Snapshot(); close(snapDone) }()
	<-entered // the Snapshot holds the engine's lock for good
	for len(spy.beats) > 0 {
		<-spy.beats
	}
	clk.advance(31 * time.Second)
	nudge.Set("wake the watcher") // its next HealthChanged waits for the lock
	if wd.round() {
		t.Fatal("the watchdog pinged with the engine wedged past its stall time")
	}
	if len(spy.beats) > 0 {
		t.Fatal("the engine's loop beat while its lock was held")
	}

	close(gate)
	<-snapDone
	<-spy.beats // the watcher got the lock
	if !wd.round() {
		t.Fatal("no ping after the engine recovered")
	}
}

// newTestEngine is an engine over the simulated ports whose health comes
// from readiness.
func newTestEngine(t *testing.T, readiness func() session.Readiness) *session.Engine {
	t.Helper()
	alloc := &sessiontest.Allocator{}
	o := session.DefaultOpts()
	o.Readiness = readiness
	o.Notices = web.Notices()
	o.Log = discardLog()
	e, err := session.New(session.Ports{Consent: &sessiontest.Consent{}, Credentials: sessiontest.Credentials{},
		Face: &sessiontest.Face{Alloc: alloc}, Verifier: &sessiontest.Verifier{}, Alloc: alloc}, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Close)
	return e
}

// TestWedgedAuditStalls: the consent audit beats from its progress; an
// audit that stops making progress (a query that never returns) leaves its
// loop stalled after consentAuditStall, which withholds the pings.
func TestWedgedAuditStalls(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ls := newLoops(time.Now)
		l := ls.register("consent.audit", consentAuditStall)
		ctx, cancel := context.WithCancel(context.Background())
		stuck := make(chan struct{})
		var runs atomic.Int32
		audit := func(ctx context.Context) {
			if runs.Add(1) == 2 {
				select { // the second audit hangs
				case <-stuck:
				case <-ctx.Done():
				}
			}
		}
		first := make(chan struct{})
		done := make(chan struct{})
		go func() { auditLoop(ctx, time.Hour, audit, first, l); close(done) }()
		<-first
		time.Sleep(59 * time.Minute) // idle between audits: beats every auditBeatEvery
		synctest.Wait()
		if s := ls.stalled(); len(s) != 0 {
			t.Fatalf("stalled while idle: %v", s)
		}
		time.Sleep(time.Minute + consentAuditStall + time.Second) // the second audit hangs
		synctest.Wait()
		if s := ls.stalled(); len(s) != 1 || s[0] != "consent.audit" {
			t.Fatalf("stalled = %v with the audit hung", s)
		}
		close(stuck)
		synctest.Wait()
		if s := ls.stalled(); len(s) != 0 {
			t.Fatalf("stalled = %v after the audit returned", s)
		}
		cancel()
		<-done
	})
}

// TestEveryLoopRegistered: a provisioned kiosk with a scanner (the R30x
// emulator on a pty) and the kiosk API registers each long-running part
// with the watchdog, and /v1/status lists them, none stalled.
func TestEveryLoopRegistered(t *testing.T) {
	link, _ := scannerEmulator(t)
	env := daemontest.Provision(t, daemontest.Opts{Scanner: link,
		Extra: fmt.Sprintf("[kiosk_api]\nlisten = %q\n", freeLoopbackAddr(t))})
	n := newRecNotifier()
	startDaemon(t, Options{Config: env.Config, Notifier: n, wire: wireAll,
		ClockSynced: func() (bool, error) { return true, nil }})
	n.waitFor(t, "READY=1")
	var st Status
	getJSON(t, unixClient(env.Config.SocketPath()), "GET", "/v1/status", &st)
	got := map[string]bool{}
	for _, l := range st.Loops {
		got[l.Name] = !l.Stalled
	}
	for _, want := range []string{"monitors", "scanner", "consent.audit", "uplink-probe", "session-engine"} {
		if !got[want] {
			t.Errorf("loop %s not registered (or stalled): %+v", want, st.Loops)
		}
	}
}
