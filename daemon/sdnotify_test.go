package daemon

import (
	"context"
	"net"
	"os"
	"path/filepath"

	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ventanilla-mx/ventanilla/health"
)

// TestNotifySequence runs the daemon against a real unixgram NOTIFY_SOCKET,
// as systemd provides it, and checks READY -> STATUS -> STOPPING.
func TestNotifySequence(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "notify.sock")
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: sock, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	t.Setenv("NOTIFY_SOCKET", sock)
	got := make(chan string, 64)
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := conn.Read(buf)
			if err != nil {
				close(got)
				return
			}
			got <- string(buf[:n])
		}
	}()

	cfg := testConfig(t)
	stop := startDaemon(t, Options{Config: cfg, WatchdogInterval: time.Hour,
		ClockSynced: func() (bool, error) { return true, nil }})
	var seq []string
	for s := range got {
		seq = append(seq, s)
		if strings.HasPrefix(s, "STATUS=") {
			break
		}
	}
	if err := stop(); err != nil {
		t.Fatalf("Run: %v", err)
	}
	// Run has sent everything: let the reader drain the queued datagrams
	// (closing the socket now would drop them), then stop it.
	conn.SetReadDeadline(time.Now().Add(time.Second))
	for s := range got {
		seq = append(seq, s)
	}
	want := []string{"READY=1", "STATUS=ok", "STOPPING=1"}
	var filtered []string
	for _, s := range seq {
		if s != "WATCHDOG=1" {
			filtered = append(filtered, s)
		}
	}
	if strings.Join(filtered, "|") != strings.Join(want, "|") {
		t.Fatalf("notify sequence = %q, want %q (watchdog pings aside)", seq, want)
	}
	if !containsStr(seq, "WATCHDOG=1") {
		t.Errorf("no watchdog ping in %q", seq)
	}
}

func containsStr(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// TestWatchdogGating: pings at half the interval, stop when a loop stalls or
// a critical condition is visible, and resume when both clear.
func TestWatchdogGating(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		n := newRecNotifier()
		ls := newLoops(time.Now)
		main := ls.register("main", 7*time.Second)
		reg := health.NewRegistry(time.Now)
		crit := reg.Declare(health.Condition{Code: "core.wedged", Severity: health.Critical})
		w := &watchdog{notifier: n, interval: 10 * time.Second, loops: ls, health: reg, log: discardLog()}
		ctx, cancel := contextWithCancel()
		done := make(chan error)
		go func() { done <- w.run(ctx) }()

		pings := func() int { synctest.Wait(); return len(n.ch) }
		drain := func() {
			for len(n.ch) > 0 {
				<-n.ch
			}
		}
		if got := pings(); got != 1 {
			t.Fatalf("pings at start = %d, want 1", got)
		}
		drain()
		for range 3 { // a healthy loop: one ping every 5 s
			time.Sleep(5 * time.Second)
			main.Beat()
		}
		if got := pings(); got != 3 {
			t.Fatalf("healthy pings = %d, want 3", got)
		}
		drain()
		time.Sleep(15 * time.Second) // no beats: stalled after 7 s
		if got := pings(); got != 1 {
			t.Fatalf("pings while stalling = %d, want 1 (before the stall time)", got)
		}
		drain()
		main.Beat()
		time.Sleep(5 * time.Second)
		if got := pings(); got != 1 {
			t.Fatalf("pings after recovery = %d, want 1", got)
		}
		drain()
		crit.Set("test")
		main.Beat()
		time.Sleep(5 * time.Second)
		main.Beat()
		time.Sleep(5 * time.Second)
		if got := pings(); got != 0 {
			t.Fatalf("pings with a critical condition = %d, want 0", got)
		}
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	})
}

// TestFailingLoopStopsDaemon: one loop's error ends Run with that error.
func TestGroupFirstErrorCancels(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := contextWithCancel()
		defer cancel()
		g := newGroup(ctx, discardLog())
		g.Go("steady", func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() })
		g.Go("broken", func(context.Context) error { return os.ErrPermission })
		err := g.Wait(time.Second)
		if err == nil || !strings.Contains(err.Error(), "broken") {
			t.Fatalf("Wait = %v, want the broken loop's error", err)
		}
	})
}

func TestGroupShutdownTimeoutNamesStragglers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := contextWithCancel()
		g := newGroup(ctx, discardLog())
		release := make(chan struct{})
		g.Go("stubborn", func(context.Context) error { <-release; return nil })
		g.Go("polite", func(ctx context.Context) error { <-ctx.Done(); return nil })
		cancel()
		err := g.Wait(3 * time.Second)
		if err == nil || !strings.Contains(err.Error(), "[stubborn]") {
			t.Fatalf("Wait = %v, want it to name only the stubborn goroutine", err)
		}
		close(release)
		synctest.Wait()
	})
}

func TestLoopStatesReportStall(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ls := newLoops(time.Now)
		ls.register("x", time.Second)
		time.Sleep(2 * time.Second)
		st := ls.states()
		if len(st) != 1 || !st[0].Stalled {
			t.Fatalf("states = %+v", st)
		}
		if s := ls.stalled(); len(s) != 1 || s[0] != "x" {
			t.Fatalf("stalled = %v", s)
		}
	})
}
