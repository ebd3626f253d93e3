package daemon

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ventanilla-mx/ventanilla/drivers/sim"
	"github.com/ventanilla-mx/ventanilla/health"
)

// offsetClock is real time plus an offset the test moves, so conditions'
// time-to-visible can pass without waiting.
type offsetClock struct{ off atomic.Int64 }

func (c *offsetClock) now() time.Time          { return time.Now().Add(time.Duration(c.off.Load())) }
func (c *offsetClock) advance(d time.Duration) { c.off.Add(int64(d)) }

// waitCondition waits on registry changes until visible(code) == want.
func waitCondition(t *testing.T, reg *health.Registry, ch <-chan struct{}, code health.Code, want bool) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		got := false
		for _, s := range reg.Visible() {
			got = got || s.Code == code
		}
		if got == want {
			return
		}
		select {
		case <-ch:
		case <-deadline:
			t.Fatalf("%s visible = %v, want %v", code, got, want)
		}
	}
}

// scannerEmulator runs the R30x emulator on a pseudo-terminal until the
// test ends; link is the device path to configure.
func scannerEmulator(t *testing.T) (link string, pty *sim.PTY) {
	t.Helper()
	link = filepath.Join(t.TempDir(), "scanner")
	dev, err := sim.NewDevice(sim.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	pty, err = sim.NewPTY(dev, sim.PTYOpts{Link: link, Unpaced: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pty.Close() })
	return link, pty
}

// TestScannerWiring runs the real driver against the R30x emulator on a
// pseudo-terminal: ready shows in /v1/devices, the self-test handshakes,
// an unplug raises scanner.unavailable, a replug clears it.
func TestScannerWiring(t *testing.T) {
	link, pty := scannerEmulator(t)
	cfg := testConfig(t)
	cfg.Scanner.Enabled, cfg.Scanner.Device = true, link
	clk := &offsetClock{}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s, err := newSystem(ctx, withDefaults(Options{Config: cfg, Now: clk.now, Stderr: &syncBuffer{}}))
	if err != nil {
		t.Fatal(err)
	}
	changes := s.Health.Subscribe()
	wireScanner(s)
	defer func() { cancel(); s.group.Wait(time.Second) }()

	if res := s.Health.RunChecks(ctx); len(res) != 1 || !res[0].OK {
		t.Fatalf("self-test = %+v", res)
	}
	devs := getDevices(t, s)
	if len(devs) != 1 || devs[0].State != "ready" || devs[0].Path != link {
		t.Fatalf("devices = %+v", devs)
	}

	if err := pty.Unplug(); err != nil {
		t.Fatal(err)
	}
	if res := s.Health.RunChecks(ctx); res[0].OK {
		t.Fatal("handshake succeeded on an unplugged scanner")
	}
	clk.advance(3 * time.Second) // past scanner.unavailable's time-to-visible
	waitCondition(t, s.Health, changes, condScannerUnavailable, true)

	if err := pty.Plug(); err != nil {
		t.Fatal(err)
	}
	waitCondition(t, s.Health, changes, condScannerUnavailable, false)
	if res := s.Health.RunChecks(ctx); !res[0].OK {
		t.Fatalf("self-test after replug = %+v", res)
	}
}

func getDevices(t *testing.T, s *System) []DeviceState {
	t.Helper()
	rec := httptest.NewRecorder()
	s.serveDevices(rec, httptest.NewRequest(http.MethodGet, "/v1/devices", nil))
	var out []DeviceState
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
		t.Fatal(err)
	}
	return out
}
