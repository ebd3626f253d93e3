package daemon

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ventanilla-mx/ventanilla/capture/client"
	"github.com/ventanilla-mx/ventanilla/daemon/config"
	"github.com/ventanilla-mx/ventanilla/daemon/daemontest"
	"github.com/ventanilla-mx/ventanilla/drivers/camera"
	"github.com/ventanilla-mx/ventanilla/internal/fixtures"
	"github.com/ventanilla-mx/ventanilla/liveness"
	"github.com/ventanilla-mx/ventanilla/secmem"
	"github.com/ventanilla-mx/ventanilla/session"
)

// camSystem is a daemon with locked memory and the capture process wired.
type camSystem struct {
	*System
	mem     *secmem.Allocator
	face    *client.Client // nil when the camera was not wired
	cancel  context.CancelFunc
	changes <-chan struct{}
	clk     *offsetClock
}

// wireTestCamera wires the camera (the real capture binary) from cfg
// after mutate.
func wireTestCamera(t *testing.T, mutate func(*config.Config)) *camSystem {
	t.Helper()
	cfg := testConfig(t)
	cfg.Camera.Enabled = true
	cfg.Camera.CaptureBinary = daemontest.CaptureBinary(t)
	cfg.Secmem.RequireLock = false
	mutate(cfg)
	clk := &offsetClock{}
	ctx, cancel := context.WithCancel(context.Background())
	s, err := newSystem(ctx, withDefaults(Options{Config: cfg, Now: clk.now, Stderr: &syncBuffer{}}))
	if err != nil {
		t.Fatal(err)
	}
	cs := &camSystem{System: s, cancel: cancel, changes: s.Health.Subscribe(), clk: clk}
	cs.mem = wireSecmem(s)
	cs.face, _ = wireCamera(s, cs.mem).get()
	t.Cleanup(func() { cs.stop(t) })
	return cs
}

// stop shuts the daemon's goroutines (and the capture process) down and
// checks no locked buffer is left.
func (cs *camSystem) stop(t *testing.T) {
	cs.cancel()
	if err := cs.group.Wait(5 * time.Second); err != nil {
		t.Error(err)
	}
	if st := cs.mem.Stats(); st.Live != 0 {
		t.Errorf("%d locked buffers still live", st.Live)
	}
}

// waitDevice waits until the camera's device entry is in state (the
// capture process reports it asynchronously).
func waitDevice(t *testing.T, s *System, state string) DeviceState {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		devs := getDevices(t, s)
		if len(devs) == 1 && devs[0].State == state {
			return devs[0]
		}
		if time.Now().After(deadline) {
			t.Fatalf("camera device %+v; want state %s", devs, state)
		}
		time.Sleep(20 * time.Millisecond) // polls a state the capture process reports
	}
}

// prompts records the codes the citizen would see (the capture's own
// tests, in capture/facecap, check the prompts' rules).
type prompts struct{ codes []string }

func (p *prompts) record(q session.Prompt) { p.codes = append(p.codes, q.Code) }

func visible(s *System, code string) bool {
	for _, st := range s.Health.Visible() {
		if string(st.Code) == code {
			return true
		}
	}
	return false
}

func metricValue(t *testing.T, s *System, name string, labels map[string]string) float64 {
	t.Helper()
	fams, err := s.Metrics.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fams {
		if f.GetName() != name {
			continue
		}
	next:
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if v, ok := labels[l.GetName()]; ok && v != l.GetValue() {
					continue next
				}
			}
			switch {
			case m.GetCounter() != nil:
				return m.GetCounter().GetValue()
			case m.GetGauge() != nil:
				return m.GetGauge().GetValue()
			case m.GetHistogram() != nil:
				return float64(m.GetHistogram().GetSampleCount())
			}
		}
	}
	return -1
}

// TestCameraReplayStillPhoto wires a replayed photo as the camera of the
// capture process: it shows in /v1/devices, its self-test passes,
// camera.replay warns, and a face capture refuses it (a frozen stream)
// without any image crossing into the daemon.
func TestCameraReplayStillPhoto(t *testing.T) {
	photo := fixtures.GocvImage(t, "face.jpg")
	cs := wireTestCamera(t, func(c *config.Config) { c.Camera.Replay = photo })
	dev := waitDevice(t, cs.System, "idle")
	if dev.Name != "camera" || dev.Path != photo || dev.Info["source"] != "replay" || dev.Info["format"] == "" {
		t.Fatalf("device = %+v", dev)
	}
	if res := cs.Health.RunChecks(context.Background()); len(res) != 2 || !res[1].OK || res[1].Name != "camera.frame" {
		t.Fatalf("self-tests = %+v", res)
	}
	if !visible(cs.System, "camera.replay") || visible(cs.System, "camera.unavailable") || visible(cs.System, "capture.unavailable") {
		t.Errorf("conditions = %+v", cs.Health.Visible())
	}
	if cs.face == nil {
		t.Fatal("face port or preview not wired")
	}
	p := &prompts{}
	res, err := cs.face.CaptureFace(context.Background(), p.record)
	if err != nil {
		t.Fatal(err)
	}
	if res.Liveness.Decision != session.Spoof || res.JPEG != nil || res.Liveness.Cues[liveness.CueFrozen] > 0.5 {
		t.Fatalf("liveness = %+v; want spoof on the frozen-frames cue, no image", res.Liveness)
	}
	if !slices.Contains(p.codes, "face.too_far") { // 84 px between the eyes, 90 wanted
		t.Errorf("prompts %v; want face.too_far", p.codes)
	}
	if v := metricValue(t, cs.System, "ventanilla_liveness_decisions_total", nil); v != 1 {
		t.Errorf("decisions metric = %v; want 1", v)
	}
	assertNoVerdictLabel(t, cs.System)
}

// TestCameraUnplugged: a camera that cannot be opened is reported, its
// self-test fails and a capture fails as a device error.
func TestCameraUnplugged(t *testing.T) {
	cs := wireTestCamera(t, func(c *config.Config) { c.Camera.Device = t.TempDir() + "/no-camera" })
	dev := waitDevice(t, cs.System, "unavailable")
	if dev.Info["source"] != "v4l2" {
		t.Errorf("device = %+v", dev)
	}
	cs.clk.advance(2 * time.Second) // past camera.unavailable's time-to-visible
	waitCondition(t, cs.Health, cs.changes, condCameraUnavailable, true)
	if res := cs.Health.RunChecks(context.Background()); res[1].OK {
		t.Fatal("camera self-test passed without a camera")
	}
	_, err := cs.face.CaptureFace(context.Background(), func(session.Prompt) {})
	if !errors.Is(err, session.ErrDevice) {
		t.Errorf("capture without a camera: %v; want session.ErrDevice", err)
	}
}

// TestCaptureBinaryMissing: without the capture program the kiosk says so
// (capture.unavailable) and a face capture is a device error.
func TestCaptureBinaryMissing(t *testing.T) {
	cs := wireTestCamera(t, func(c *config.Config) {
		c.Camera.Replay = "unused.jpg"
		c.Camera.CaptureBinary = filepath.Join(t.TempDir(), "no-such-capture")
	})
	waitDevice(t, cs.System, "unavailable") // the first start failed
	cs.clk.advance(5 * time.Second)
	waitCondition(t, cs.Health, cs.changes, condCaptureUnavailable, true)
	if _, err := cs.face.CaptureFace(context.Background(), func(session.Prompt) {}); !errors.Is(err, session.ErrDevice) {
		t.Errorf("capture without the capture process: %v; want session.ErrDevice", err)
	}
}

// TestCameraConfigVocabulary keeps the config's copies of the drivers'
// vocabularies (cgo-free) in step with them.
func TestCameraConfigVocabulary(t *testing.T) {
	for _, name := range config.ChallengeNames {
		if _, err := liveness.ParseChallenge(name); err != nil {
			t.Error(err)
		}
	}
	if len(config.ChallengeNames) != len(liveness.DefaultOpts().Challenges) {
		t.Errorf("config knows %v; liveness %v", config.ChallengeNames, liveness.DefaultOpts().Challenges)
	}
	for i, m := range config.DefaultVideoModes() {
		d := camera.DefaultModes[i]
		if m.FourCC != d.FourCC || m.Width != d.Width || m.Height != d.Height || m.FPS != d.FPS {
			t.Errorf("mode %d: config %v, driver %v", i, m, d)
		}
	}
}

// TestProvisionedKioskWithReplayCamera runs the whole daemon with a
// replayed camera: ready (camera.replay warns but does not block), and the
// camera self-test and device entry answer over the diagnostics API.
func TestProvisionedKioskWithReplayCamera(t *testing.T) {
	env := daemontest.Provision(t, daemontest.Opts{CameraReplay: fixtures.GocvImage(t, "face.jpg")})
	n := newRecNotifier()
	startDaemon(t, Options{Config: env.Config, Notifier: n, wire: wireAll,
		ClockSynced: func() (bool, error) { return true, nil }})
	n.waitFor(t, "READY=1")
	c := unixClient(env.Config.SocketPath())
	var rep HealthReport
	if code := getJSON(t, c, "GET", "/v1/health", &rep); code != 200 || !rep.Ready {
		t.Fatalf("health = %d %+v", code, rep)
	}
	var devs []DeviceState
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		devs = nil
		getJSON(t, c, "GET", "/v1/devices", &devs)
		if len(devs) == 1 && devs[0].State == "idle" || time.Now().After(deadline) {
			break
		}
	}
	var self struct {
		Checks []struct {
			Name  string `json:"name"`
			OK    bool   `json:"ok"`
			Error string `json:"error"`
		} `json:"checks"`
	}
	getJSON(t, c, "POST", "/v1/selftest", &self)
	found := false
	for _, ch := range self.Checks {
		if ch.Name == "camera.frame" {
			found = true
			if !ch.OK {
				t.Errorf("camera self-test: %s", ch.Error)
			}
		}
	}
	if !found || len(devs) != 1 || devs[0].Name != "camera" || devs[0].State != "idle" {
		t.Fatalf("self-tests %+v, devices %+v", self.Checks, devs)
	}
}

// TestCameraReplugClears: a camera missing at start raises
// camera.unavailable; once it is back, the capture process's probe clears
// it without waiting for a citizen.
func TestCameraReplugClears(t *testing.T) {
	photo, err := os.ReadFile(fixtures.GocvImage(t, "face.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "camera.jpg")
	cs := wireTestCamera(t, func(c *config.Config) {
		c.Camera.Replay = path
		c.Health.CheckInterval = config.Dur(100 * time.Millisecond)
	})
	waitDevice(t, cs.System, "unavailable")
	cs.clk.advance(2 * time.Second)
	waitCondition(t, cs.Health, cs.changes, condCameraUnavailable, true)
	if err := os.WriteFile(path, photo, 0o600); err != nil { // plugged in
		t.Fatal(err)
	}
	waitCondition(t, cs.Health, cs.changes, condCameraUnavailable, false)
	if dev := waitDevice(t, cs.System, "idle"); dev.Info["format"] != "640x480@30" {
		t.Errorf("device = %+v", dev)
	}
}

// assertNoVerdictLabel: no metric names a liveness verdict or reason (one
// session's spoof would move it: a citizen's outcome, issue 17).
func assertNoVerdictLabel(t *testing.T, s *System) {
	t.Helper()
	fams, err := s.Metrics.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fams {
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "verdict" || (l.GetName() == "reason" && strings.HasPrefix(f.GetName(), "ventanilla_liveness")) {
					t.Errorf("%s carries label %s=%s", f.GetName(), l.GetName(), l.GetValue())
				}
			}
		}
	}
}
