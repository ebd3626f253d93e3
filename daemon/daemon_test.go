package daemon

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ventanilla-mx/ventanilla/daemon/config"
	"github.com/ventanilla-mx/ventanilla/daemon/daemontest"
)

// testConfig returns a valid config whose directories live under t.TempDir.
func testConfig(t *testing.T) *config.Config {
	t.Helper()
	dir := t.TempDir()
	cfg := config.Default()
	cfg.Kiosk.ID = "test-kiosk"
	cfg.Paths.StateDir = filepath.Join(dir, "state")
	cfg.Paths.RunDir = filepath.Join(dir, "run")
	cfg.Diagnostics.SocketGroup = ""
	cfg.Diagnostics.TechnicianGroup = ""
	cfg.Diagnostics.AdminGroup = ""
	cfg.Log.Format = "logfmt"
	cfg.Shutdown.Timeout = config.Dur(2 * time.Second)
	cfg.Scanner.Enabled = false // tests that want one use the emulator
	cfg.Camera.Enabled = false  // tests that want one replay media
	return &cfg
}

// recNotifier records sd_notify states and signals each one.
type recNotifier struct {
	mu     sync.Mutex
	states []string
	ch     chan string
}

func newRecNotifier() *recNotifier { return &recNotifier{ch: make(chan string, 256)} }

func (n *recNotifier) Notify(s string) error {
	n.mu.Lock()
	n.states = append(n.states, s)
	n.mu.Unlock()
	n.ch <- s
	return nil
}

// waitFor reads states until one has the prefix; it fails the test on timeout.
func (n *recNotifier) waitFor(t *testing.T, prefix string) string {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case s := <-n.ch:
			if strings.HasPrefix(s, prefix) {
				return s
			}
		case <-timeout:
			t.Fatalf("no %q from the daemon", prefix)
		}
	}
}

// startDaemon runs the daemon in the background and returns a stop
// function that cancels it and returns Run's error.
func startDaemon(t *testing.T, opts Options) (stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	if opts.Stderr == nil {
		opts.Stderr = &syncBuffer{}
	}
	opts.KeepDumpable = true
	if opts.wire == nil {
		opts.wire = func(*System) {} // the foundation alone; see TestProvisionedDaemon
	}
	go func() { done <- Run(ctx, opts) }()
	var once sync.Once
	var err error
	stop = func() error {
		once.Do(func() { cancel(); err = <-done })
		return err
	}
	t.Cleanup(func() { stop() })
	return stop
}

type syncBuffer = daemontest.LogBuffer

func unixClient(path string) *http.Client {
	return &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "unix", path)
	}}}
}

func getJSON(t *testing.T, c *http.Client, method, path string, v any) int {
	t.Helper()
	req, _ := http.NewRequest(method, "http://d"+path, nil)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	if v != nil {
		if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
			t.Fatalf("%s %s: decode: %v", method, path, err)
		}
	}
	return resp.StatusCode
}

func TestDiagnosticsEndpoints(t *testing.T) {
	cfg := testConfig(t)
	n := newRecNotifier()
	startDaemon(t, Options{Config: cfg, Notifier: n, ClockSynced: func() (bool, error) { return true, nil }})
	n.waitFor(t, "READY=1")
	c := unixClient(cfg.SocketPath())

	var rep HealthReport
	if code := getJSON(t, c, "GET", "/v1/health", &rep); code != 200 || !rep.Ready {
		t.Fatalf("health = %d %+v", code, rep)
	}
	var st Status
	if code := getJSON(t, c, "GET", "/v1/status", &st); code != 200 || st.Config["kiosk_id"] != "test-kiosk" {
		t.Fatalf("status = %d %+v", code, st)
	}
	var self struct {
		OK     bool `json:"ok"`
		Checks []struct {
			Name string `json:"name"`
		} `json:"checks"`
	}
	if code := getJSON(t, c, "POST", "/v1/selftest", &self); code != 200 || !self.OK || len(self.Checks) == 0 {
		t.Fatalf("selftest = %d %+v", code, self)
	}
	if code := getJSON(t, c, "GET", "/v1/selftest", nil); code != http.StatusMethodNotAllowed {
		t.Errorf("GET selftest = %d, want 405", code)
	}
}

func TestNotReadyAnswers503(t *testing.T) {
	cfg := testConfig(t)
	cfg.Health.MinFreeDisk = config.Bytes(1 << 62) // no disk is this big
	n := newRecNotifier()
	startDaemon(t, Options{Config: cfg, Notifier: n, ClockSynced: func() (bool, error) { return true, nil }})
	n.waitFor(t, "STATUS=not ready")
	var rep HealthReport
	code := getJSON(t, unixClient(cfg.SocketPath()), "GET", "/v1/health", &rep)
	if code != http.StatusServiceUnavailable || rep.Ready || len(rep.NotReady) != 1 || rep.NotReady[0].Code != condDiskLow {
		t.Fatalf("health = %d %+v", code, rep)
	}
}

// TestShutdownLeavesNoGoroutine checks that after Run returns, no goroutine
// started by the daemon is left: each has an owner that waited for it.
func TestShutdownLeavesNoGoroutine(t *testing.T) {
	env := daemontest.Provision(t, daemontest.Opts{})
	cfg := env.Config
	cfg.Diagnostics.MetricsListen = "127.0.0.1:0"
	n := newRecNotifier()
	stop := startDaemon(t, Options{Config: cfg, Notifier: n, WatchdogInterval: time.Second, wire: wireAll,
		ClockSynced: func() (bool, error) { return true, nil }})
	n.waitFor(t, "READY=1")
	getJSON(t, unixClient(cfg.SocketPath()), "GET", "/v1/status", nil)
	if err := stop(); err != nil {
		t.Fatalf("Run: %v", err)
	}
	// A goroutine that has called wg.Done may still be returning; let such
	// goroutines finish. A leaked one is blocked and stays in the list.
	left := daemonGoroutines()
	for i := 0; i < 1000 && len(left) > 0; i++ {
		runtime.Gosched()
		left = daemonGoroutines()
	}
	if len(left) > 0 {
		t.Fatalf("goroutines left after Run returned:\n%s", strings.Join(left, "\n\n"))
	}
}

// daemonGoroutines returns stacks of goroutines running any of our
// packages' code, other than test functions and the test's own ine-sim.
func daemonGoroutines() []string {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	var out []string
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, "ventanilla-mx/ventanilla/") && !strings.Contains(g, "testing.tRunner") &&
			!strings.Contains(g, "/inesim.") {
			out = append(out, g)
		}
	}
	return out
}

// TestMetricsListenerServesOnlyPublicEndpoints: the loopback TCP listener
// has no peer credentials, so it must not offer status or write endpoints.
func TestMetricsListenerServesOnlyPublicEndpoints(t *testing.T) {
	probe, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := probe.Addr().String()
	probe.Close()
	cfg := testConfig(t)
	cfg.Diagnostics.MetricsListen = addr
	n := newRecNotifier()
	startDaemon(t, Options{Config: cfg, Notifier: n, ClockSynced: func() (bool, error) { return true, nil }})
	n.waitFor(t, "READY=1")
	c := &http.Client{}
	for path, want := range map[string]int{"/metrics": 200, "/v1/health": 200, "/v1/status": 404} {
		resp, err := c.Get("http://" + addr + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("GET %s = %d, want %d", path, resp.StatusCode, want)
		}
	}
	resp, err := c.Post("http://"+addr+"/v1/selftest", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode == 200 {
		t.Error("selftest reachable over TCP")
	}
}

// TestProvisionedDaemon runs every subsystem on a provisioned kiosk (keys,
// ledger, ine-sim on loopback TLS): ready, and every self-test passes.
func TestProvisionedDaemon(t *testing.T) {
	env := daemontest.Provision(t, daemontest.Opts{})
	n := newRecNotifier()
	startDaemon(t, Options{Config: env.Config, Notifier: n, wire: wireAll,
		ClockSynced: func() (bool, error) { return true, nil }})
	n.waitFor(t, "READY=1")
	c := unixClient(env.Config.SocketPath())
	var rep HealthReport
	if code := getJSON(t, c, "GET", "/v1/health", &rep); code != 200 || !rep.Ready {
		t.Fatalf("health = %d %+v", code, rep)
	}
	var self struct {
		OK     bool `json:"ok"`
		Checks []struct {
			Name  string `json:"name"`
			OK    bool   `json:"ok"`
			Error string `json:"error"`
		} `json:"checks"`
	}
	getJSON(t, c, "POST", "/v1/selftest", &self)
	names := map[string]bool{}
	for _, ch := range self.Checks {
		names[ch.Name] = true
		if !ch.OK {
			t.Errorf("self-test %s failed: %s", ch.Name, ch.Error)
		}
	}
	for _, want := range []string{"statedir.write", "secmem.lock", "consent.ledger", "uplink"} {
		if !names[want] {
			t.Errorf("self-test %s missing from %v", want, names)
		}
	}
}

// TestUnprovisionedKioskSaysWhatIsMissing: a fresh install with no keys
// starts, is not ready, and names what to provision.
func TestUnprovisionedKioskSaysWhatIsMissing(t *testing.T) {
	cfg := testConfig(t)
	n := newRecNotifier()
	startDaemon(t, Options{Config: cfg, Notifier: n, wire: wireAll,
		ClockSynced: func() (bool, error) { return true, nil }})
	n.waitFor(t, "READY=1")
	var rep HealthReport
	code := getJSON(t, unixClient(cfg.SocketPath()), "GET", "/v1/health", &rep)
	got := map[string]bool{}
	for _, s := range rep.NotReady {
		got[string(s.Code)] = true
	}
	if code != 503 || !got["consent.unwritable"] || !got["uplink.not_configured"] {
		t.Fatalf("health = %d, not ready: %v", code, got)
	}
}
