package daemon

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/ventanilla-mx/ventanilla/capture/camhub"
	"github.com/ventanilla-mx/ventanilla/daemon/config"
	"github.com/ventanilla-mx/ventanilla/daemon/daemontest"
	"github.com/ventanilla-mx/ventanilla/drivers/camera"
	"github.com/ventanilla-mx/ventanilla/drivers/camera/cameratest"
	"github.com/ventanilla-mx/ventanilla/internal/fixtures"
	"github.com/ventanilla-mx/ventanilla/liveness"
	"github.com/ventanilla-mx/ventanilla/session"
)

// camSystem is a daemon with locked memory and the camera wired, and what
// the test needs to check that nothing is left behind.
type camSystem struct {
	*System
	hub    *camhub.Hub
	cancel context.CancelFunc
	mats   int // live Mats before wiring
}

// wireTestCamera wires the camera from cfg (after mutate), through open
// when given, else as configured. With open given, the face capture judges
// every frame the camera gives (lossless), so the test is deterministic.
func wireTestCamera(t *testing.T, mutate func(*config.Config), open cameraOpener) *camSystem {
	t.Helper()
	lossless := open != nil
	cfg := testConfig(t)
	cfg.Camera.Enabled = true
	cfg.Secmem.RequireLock = false
	mutate(cfg)
	ctx, cancel := context.WithCancel(context.Background())
	s, err := newSystem(ctx, withDefaults(Options{Config: cfg, Stderr: &syncBuffer{}}))
	if err != nil {
		t.Fatal(err)
	}
	cs := &camSystem{System: s, cancel: cancel, mats: cameratest.MatCount()}
	wireSecmem(s)
	if open == nil {
		open = configuredCamera(s)
	}
	cs.hub = wireCameraWith(s, open)
	cs.hub.Lossless = lossless
	t.Cleanup(func() { cs.stop(t) })
	return cs
}

// stop shuts the daemon's goroutines down; the camera is closed.
func (cs *camSystem) stop(t *testing.T) {
	cs.cancel()
	if err := cs.group.Wait(5 * time.Second); err != nil {
		t.Error(err)
	}
}

// checkNothingLeft stops the daemon and checks that no Mat and no locked
// buffer is left.
func (cs *camSystem) checkNothingLeft(t *testing.T) {
	t.Helper()
	cs.stop(t)
	if n := cameratest.MatCount(); n != cs.mats {
		t.Errorf("Mat leak: %d live before wiring, %d after shutdown", cs.mats, n)
	}
	if st := cs.secmem.Stats(); st.Live != 0 {
		t.Errorf("%d locked buffers still live", st.Live)
	}
}

// prompts records the codes the citizen would see (the capture's own
// tests, in capture/facecap, check the prompts' rules).
type prompts struct {
	t     *testing.T
	codes []string
}

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

// TestCameraReplayStillPhoto wires a replayed photo as the camera: it
// shows in /v1/devices, its self-test passes, camera.replay warns, and a
// face capture refuses it (a frozen stream) without encoding any image.
func TestCameraReplayStillPhoto(t *testing.T) {
	photo := fixtures.GocvImage(t, "face.jpg")
	cs := wireTestCamera(t, func(c *config.Config) { c.Camera.Replay = photo }, nil)
	if res := cs.Health.RunChecks(context.Background()); len(res) != 2 || !res[1].OK || res[1].Name != "camera.frame" {
		t.Fatalf("self-tests = %+v", res)
	}
	devs := getDevices(t, cs.System)
	if len(devs) != 1 || devs[0].Name != "camera" || devs[0].Path != photo || devs[0].State != "idle" ||
		devs[0].Info["source"] != "replay" || devs[0].Info["frames"] == "0" || devs[0].Info["format"] == "" {
		t.Fatalf("devices = %+v", devs)
	}
	if !visible(cs.System, "camera.replay") || visible(cs.System, "camera.unavailable") {
		t.Errorf("conditions = %+v", cs.Health.Visible())
	}
	if cs.faceCapture == nil || cs.preview == nil {
		t.Fatal("face port or preview not wired")
	}
	p := &prompts{t: t}
	res, err := cs.faceCapture.CaptureFace(context.Background(), p.record)
	if err != nil {
		t.Fatal(err)
	}
	if res.Liveness.Decision == session.Live || res.JPEG != nil {
		t.Fatalf("a still photo passed: %+v", res)
	}
	if res.Liveness.Decision != session.Spoof || res.Liveness.Cues[liveness.CueFrozen] > 0.5 {
		t.Errorf("liveness = %+v; want spoof on the frozen-frames cue", res.Liveness)
	}
	if !slices.Contains(p.codes, "face.too_far") { // 84 px between the eyes, 90 wanted
		t.Errorf("prompts %v; want face.too_far", p.codes)
	}
	if v := metricValue(t, cs.System, "ventanilla_liveness_decisions_total", map[string]string{"verdict": "spoof", "reason": liveness.ReasonFrozen}); v != 1 {
		t.Errorf("spoof decisions metric = %v", v)
	}
	if v := metricValue(t, cs.System, "ventanilla_camera_frames_total", map[string]string{"event": "delivered"}); v < 8 {
		t.Errorf("camera frames metric = %v", v)
	}
	if cs.hub.InUse() {
		t.Error("camera still open after the capture")
	}
	cs.checkNothingLeft(t)
}

// TestCameraUnplugged: a camera that cannot be opened is reported, its
// self-test fails and a capture fails as a device error.
func TestCameraUnplugged(t *testing.T) {
	clk := &offsetClock{}
	cfg := testConfig(t)
	cfg.Camera.Enabled, cfg.Camera.Device = true, t.TempDir()+"/no-camera"
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s, err := newSystem(ctx, withDefaults(Options{Config: cfg, Now: clk.now, Stderr: &syncBuffer{}}))
	if err != nil {
		t.Fatal(err)
	}
	changes := s.Health.Subscribe()
	wireSecmem(s)
	wireCamera(s)
	defer func() { cancel(); s.group.Wait(5 * time.Second) }()
	if res := s.Health.RunChecks(ctx); res[1].OK {
		t.Fatal("camera self-test passed without a camera")
	}
	clk.advance(2 * time.Second) // past camera.unavailable's time-to-visible
	waitCondition(t, s.Health, changes, condCameraUnavailable, true)
	if devs := getDevices(t, s); devs[0].State != "unavailable" || devs[0].Info["source"] != "v4l2" {
		t.Errorf("devices = %+v", devs)
	}
	_, err = s.faceCapture.CaptureFace(ctx, func(session.Prompt) {})
	if !errors.Is(err, session.ErrDevice) {
		t.Errorf("capture without a camera: %v; want session.ErrDevice", err)
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
	startDaemon(t, Options{Config: env.Config, Notifier: n, wirers: wirers,
		ClockSynced: func() (bool, error) { return true, nil }})
	n.waitFor(t, "READY=1")
	c := unixClient(env.Config.SocketPath())
	var rep HealthReport
	if code := getJSON(t, c, "GET", "/v1/health", &rep); code != 200 || !rep.Ready {
		t.Fatalf("health = %d %+v", code, rep)
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
	var devs []DeviceState
	getJSON(t, c, "GET", "/v1/devices", &devs)
	if !found || len(devs) != 1 || devs[0].Name != "camera" {
		t.Fatalf("self-tests %+v, devices %+v", self.Checks, devs)
	}
}

// TestCameraReplugClears: a camera missing at start raises
// camera.unavailable; once it is back, the watcher's probe clears it
// without waiting for a citizen.
func TestCameraReplugClears(t *testing.T) {
	photo, err := os.ReadFile(fixtures.GocvImage(t, "face.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	clk := &offsetClock{}
	cfg := testConfig(t)
	path := filepath.Join(t.TempDir(), "camera.jpg")
	cfg.Camera.Enabled, cfg.Camera.Replay = true, path
	cfg.Health.CheckInterval = config.Dur(100 * time.Millisecond)
	ctx, cancel := context.WithCancel(context.Background())
	s, err := newSystem(ctx, withDefaults(Options{Config: cfg, Now: clk.now, Stderr: &syncBuffer{}}))
	if err != nil {
		t.Fatal(err)
	}
	changes := s.Health.Subscribe()
	wireSecmem(s)
	wireCamera(s)
	defer func() { cancel(); s.group.Wait(5 * time.Second) }()
	clk.advance(2 * time.Second)
	waitCondition(t, s.Health, changes, condCameraUnavailable, true)
	if err := os.WriteFile(path, photo, 0o600); err != nil { // plugged in
		t.Fatal(err)
	}
	waitCondition(t, s.Health, changes, condCameraUnavailable, false)
	if devs := getDevices(t, s); devs[0].State != "idle" || devs[0].Info["format"] != "640x480@30" {
		t.Errorf("devices = %+v", devs)
	}
}
