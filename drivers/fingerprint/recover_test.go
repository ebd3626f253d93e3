package fingerprint_test

import (
	"context"
	"sync"
	"testing"
	"time"

	fp "github.com/ventanilla-mx/ventanilla/drivers/fingerprint"
	"github.com/ventanilla-mx/ventanilla/drivers/sim"
)

// TestReplugRecovery unplugs the module under a running scanner, keeps it
// away through several reconnect attempts, plugs it back and proves with the
// injected clock that Run has it ready again within 2 s of the replug
// (MaxBackoff bounds the wait; the connect itself is a few exchanges on
// real time, bounded by CommandTimeout). No wall-clock assertion: time here
// moves only when the test advances it.
func TestReplugRecovery(t *testing.T) {
	clk := newFakeClock()
	r := unpaced(t, sim.DefaultConfig(), func(o *fp.Opts) {
		o.Clock = clk
		o.MinBackoff = 100 * time.Millisecond
		o.MaxBackoff = time.Second
		o.HealthInterval = 5 * time.Second
	})
	runCtx, stop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); r.s.Run(runCtx) }()
	defer func() { stop(); wg.Wait() }()
	r.waitState(fp.StateReady)

	if err := r.pty.Unplug(); err != nil {
		t.Fatal(err)
	}
	<-clk.added
	if d := clk.advanceToNext(); d != 5*time.Second {
		t.Fatalf("idle wait was %v, want the health interval", d)
	}
	ev := r.waitState(fp.StateUnavailable)
	t.Logf("noticed: %v", ev.Err)
	for range 6 { // reconnect attempts against a missing device node
		<-clk.added
		if d := clk.advanceToNext(); d > time.Second {
			t.Fatalf("backoff %v exceeds MaxBackoff", d)
		}
	}
	if err := r.pty.Plug(); err != nil {
		t.Fatal(err)
	}
	replugged := clk.Now()
	if d := r.untilReady(clk); d > 2*time.Second {
		t.Fatalf("ready %v after the replug, want <= 2s", d)
	} else {
		t.Logf("ready %v (injected clock) after the replug", d)
	}
	if clk.Now().Sub(replugged) > time.Second {
		t.Fatalf("recovery took longer than MaxBackoff")
	}
	r.place(0)
	if _, err := r.s.Capture(ctx(t), nil); err != nil {
		t.Fatalf("capture after replug: %v", err)
	}
}

// untilReady fires the clock's timers one by one until Run reports ready,
// and returns the injected time that took.
func (r *rig) untilReady(clk *fakeClock) time.Duration {
	start := clk.Now()
	for {
		select {
		case ev := <-r.events:
			if ev.State == fp.StateReady {
				return clk.Now().Sub(start)
			}
		case <-clk.added:
			// A timer is pending: an attempt failed, or Run went idle after
			// a Ready event that is already queued.
			select {
			case ev := <-r.events:
				if ev.State == fp.StateReady {
					return clk.Now().Sub(start)
				}
			default:
			}
			clk.advanceToNext()
		case <-time.After(20 * time.Second):
			r.t.Fatal("Run never reconnected")
		}
	}
}

// TestUnplugDuringCapture: the line hangs up mid-transfer; the capture
// fails with ErrUnavailable, never hangs, and the state says unavailable.
func TestUnplugDuringCapture(t *testing.T) {
	r := newRig(t, sim.DefaultConfig(), sim.PTYOpts{}, nil) // paced: the upload takes seconds
	r.place(0)
	if err := r.s.Connect(ctx(t)); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { _, err := r.s.Capture(ctx(t), nil); done <- err }()
	if err := r.pty.Await(ctx(t), func(st sim.LineStats) bool { return st.BytesOut >= 5000 }); err != nil {
		t.Fatal(err)
	}
	if err := r.pty.Unplug(); err != nil {
		t.Fatal(err)
	}
	err := <-done
	if !errorsIsUnavailable(err) {
		t.Fatalf("err = %v, want ErrUnavailable", err)
	}
	r.waitState(fp.StateUnavailable)
	if err := r.s.Handshake(ctx(t)); !errorsIsUnavailable(err) {
		t.Fatalf("handshake while unplugged: %v", err)
	}
}
