package health

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"
)

type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time          { return c.t }
func (c *fakeClock) advance(d time.Duration) { c.t = c.t.Add(d) }

func newTestRegistry() (*Registry, *fakeClock) {
	clk := &fakeClock{t: time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC)}
	return NewRegistry(clk.now), clk
}

func codes(states []State) []Code {
	var out []Code
	for _, s := range states {
		out = append(out, s.Code)
	}
	return out
}

func TestTransitionsAndTimeToVisible(t *testing.T) {
	r, clk := newTestRegistry()
	cam := r.Declare(Condition{Code: "camera.unavailable", Severity: Warning, NotReady: true,
		TimeToVisible: 5 * time.Second, Message: "check the USB cable"})
	if ok, _ := r.Ready(); !ok {
		t.Fatal("fresh registry not ready")
	}
	cam.Set("/dev/video0: no such device")
	if got := r.Visible(); len(got) != 0 {
		t.Fatalf("visible before time-to-visible: %v", codes(got))
	}
	clk.advance(5 * time.Second)
	ok, blocking := r.Ready()
	if ok || len(blocking) != 1 || blocking[0].Detail != "/dev/video0: no such device" {
		t.Fatalf("Ready() = %v, %+v", ok, blocking)
	}
	if got := r.Summary(); got != "not ready: camera.unavailable" {
		t.Errorf("Summary() = %q", got)
	}
	cam.Clear()
	if ok, _ := r.Ready(); !ok || r.Summary() != "ok" {
		t.Fatalf("not ready after clear: %q", r.Summary())
	}
	// A new activation restarts the time-to-visible window.
	cam.Set("again")
	clk.advance(4 * time.Second)
	if len(r.Visible()) != 0 {
		t.Fatal("re-set condition visible before its window")
	}
}

func TestSetKeepsSince(t *testing.T) {
	r, clk := newTestRegistry()
	c := r.Declare(Condition{Code: "disk.low", Severity: Warning})
	c.Set("10 MiB free")
	since := r.Visible()[0].Since
	clk.advance(time.Minute)
	c.Set("9 MiB free")
	got := r.Visible()[0]
	if !got.Since.Equal(since) || got.Detail != "9 MiB free" {
		t.Fatalf("got since=%v detail=%q, want since=%v", got.Since, got.Detail, since)
	}
}

func TestDependsOnSuppresses(t *testing.T) {
	r, _ := newTestRegistry()
	hub := r.Declare(Condition{Code: "usb.hub", Severity: Critical})
	cam := r.Declare(Condition{Code: "camera.unavailable", Severity: Critical, DependsOn: []Code{"usb.hub"}})
	cam.Set("gone")
	if len(r.Critical()) != 1 {
		t.Fatal("camera alone should be critical")
	}
	hub.Set("hub reset")
	crit := r.Critical()
	if len(crit) != 1 || crit[0].Code != "usb.hub" {
		t.Fatalf("Critical() = %v, want only usb.hub", codes(crit))
	}
	for _, s := range r.Visible() {
		if s.Code == "camera.unavailable" && (len(s.CausedBy) != 1 || s.CausedBy[0] != "usb.hub") {
			t.Fatalf("camera caused by %v", s.CausedBy)
		}
	}
	_, blocking := r.Ready()
	if len(blocking) != 1 {
		t.Fatalf("blocking = %v", codes(blocking))
	}
}

func TestWarningDoesNotBlockReadiness(t *testing.T) {
	r, _ := newTestRegistry()
	r.Declare(Condition{Code: "clock.unsynchronized", Severity: Warning}).Set("")
	ok, _ := r.Ready()
	if !ok {
		t.Fatal("a warning without NotReady blocked readiness")
	}
	if got := r.Summary(); got != "degraded: clock.unsynchronized" {
		t.Errorf("Summary() = %q", got)
	}
}

func TestSummaryOrdersBySeverity(t *testing.T) {
	r, _ := newTestRegistry()
	r.Declare(Condition{Code: "a.info", Severity: Info}).Set("")
	r.Declare(Condition{Code: "b.crit", Severity: Critical}).Set("")
	if got := r.Summary(); got != "not ready: b.crit, a.info" {
		t.Errorf("Summary() = %q", got)
	}
}

func TestDeclarePanics(t *testing.T) {
	r, _ := newTestRegistry()
	r.Declare(Condition{Code: "x"})
	for name, f := range map[string]func(){
		"duplicate":  func() { r.Declare(Condition{Code: "x"}) },
		"undeclared": func() { r.Declare(Condition{Code: "y", DependsOn: []Code{"nope"}}) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
}

func TestSubscribeCoalesces(t *testing.T) {
	r, _ := newTestRegistry()
	ch := r.Subscribe()
	c := r.Declare(Condition{Code: "x"})
	c.Set("a")
	c.Set("b")
	c.Set("b") // no change, no signal
	select {
	case <-ch:
	default:
		t.Fatal("no change signalled")
	}
	select {
	case <-ch:
		t.Fatal("changes were not coalesced")
	default:
	}
	c.SetErr(nil)
	select {
	case <-ch:
	default:
		t.Fatal("clear not signalled")
	}
}

func TestRunChecks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := NewRegistry(nil)
		r.RegisterCheck(Check{Name: "ok", Run: func(context.Context) error { return nil }})
		r.RegisterCheck(Check{Name: "fails", Run: func(context.Context) error { return errors.New("no frame") }})
		r.RegisterCheck(Check{Name: "hangs", Timeout: time.Second, Run: func(ctx context.Context) error {
			<-ctx.Done()
			return ctx.Err()
		}})
		res := r.RunChecks(context.Background())
		if len(res) != 3 {
			t.Fatalf("got %d results", len(res))
		}
		if !res[0].OK || res[1].OK || res[1].Error != "no frame" || res[2].OK {
			t.Fatalf("results = %+v", res)
		}
		if res[2].Duration != time.Second {
			t.Errorf("hanging check took %v, want its 1s timeout", res[2].Duration)
		}
	})
}
