package daemon

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/ventanilla-mx/ventanilla/capture/client"
	"github.com/ventanilla-mx/ventanilla/capture/proto"
	"github.com/ventanilla-mx/ventanilla/daemon/config"
	"github.com/ventanilla-mx/ventanilla/health"
	"github.com/ventanilla-mx/ventanilla/secmem"
)

const (
	condCameraUnavailable  health.Code = "camera.unavailable"
	condCameraFormat       health.Code = "camera.format_degraded"
	condCameraReplay       health.Code = "camera.replay"
	condFaceModels         health.Code = "face.models_missing"
	condLivenessPassive    health.Code = "liveness.passive_only"
	condCaptureUnavailable health.Code = "capture.unavailable"
)

// captureStall is how long the capture supervision loop may go without
// checking in before the watchdog stops pinging systemd.
const captureStall = 30 * time.Second

// captureBinaryName is looked for next to ventanillad when
// camera.capture_binary is empty.
const captureBinaryName = "ventanilla-capture"

// cameraHealth turns the capture process's reports into conditions, the
// camera's /v1/devices entry and its metrics.
type cameraHealth struct {
	unavailable, degraded, replay, models, passive, capture *health.Tracker
	dev                                                     *device
	want                                                    config.VideoMode // the best mode; less raises camera.format_degraded
	live                                                    bool             // a V4L2 device (not a replay)

	decisions prometheus.Counter

	mu   sync.Mutex
	last proto.Camera
}

var _ client.Hooks = (*cameraHealth)(nil)

func declareCamera(reg *health.Registry) *cameraHealth {
	// First: the camera's conditions depend on it.
	capture := reg.Declare(health.Condition{Code: condCaptureUnavailable, Severity: health.Warning,
		TimeToVisible: 5 * time.Second,
		Message:       "the capture process (ventanilla-capture: camera, face, liveness) is not running: check camera.capture_binary and the journal; it is restarted with backoff, fingerprint-only verification still works"})
	return &cameraHealth{
		capture: capture,
		decisions: prometheus.NewCounter(prometheus.CounterOpts{Name: "ventanilla_liveness_decisions_total",
			Help: "Liveness decisions made, whatever the verdict: a verdict label would move once per citizen and tell a watcher that citizen's outcome (issue 17)."}),
		unavailable: reg.Declare(health.Condition{Code: condCameraUnavailable, Severity: health.Warning,
			TimeToVisible: 2 * time.Second, DependsOn: []health.Code{condCaptureUnavailable},
			Message: "the camera is unplugged or cannot be opened: check its USB cable and `ventanillactl devices`; fingerprint-only verification still works"}),
		degraded: reg.Declare(health.Condition{Code: condCameraFormat, Severity: health.Warning, DependsOn: []health.Code{condCameraUnavailable},
			Message: "the camera does not give its best format (first of camera.modes): check it sits on a USB 2.0+ port of its own and is the approved model; face capture still works, with less detail or fewer frames"}),
		replay: reg.Declare(health.Condition{Code: condCameraReplay, Severity: health.Warning,
			Message: "camera.replay is set: the camera is a recording and no real person can be verified; demonstrations only, remove it on a kiosk that serves citizens"}),
		models: reg.Declare(health.Condition{Code: condFaceModels, Severity: health.Warning, DependsOn: []health.Code{condCaptureUnavailable},
			Message: "face detection or liveness models could not be loaded: install opencv-data or fix face.cascade_dir / face.dnn_model; face capture is off"}),
		passive: reg.Declare(health.Condition{Code: condLivenessPassive, Severity: health.Warning,
			Message: "liveness.challenges is empty: only passive liveness runs, which a printed photo can pass more easily; allowed only with camera.replay"}),
	}
}

// Up implements client.Hooks.
func (h *cameraHealth) Up(ok bool, cause error) {
	if ok {
		h.capture.Clear()
		return
	}
	h.dev.set("unavailable", "capture process down")
	h.capture.SetErr(cause)
}

// Decided implements client.Hooks. It counts decisions without their
// verdict or reason: those label one citizen's outcome.
func (h *cameraHealth) Decided(_, _ string) {
	h.decisions.Inc()
}

// Models implements client.Hooks.
func (h *cameraHealth) Models(msg string) { h.models.Set(msg) }

// Camera implements client.Hooks: the device's state from the capture
// process.
func (h *cameraHealth) Camera(c proto.Camera) {
	h.mu.Lock()
	h.last = c
	h.mu.Unlock()
	h.dev.set(c.State, c.Detail)
	switch c.State {
	case "unavailable":
		h.unavailable.Set(c.Detail)
	case "streaming":
		h.unavailable.Clear()
	case "idle":
		h.unavailable.Clear()
		h.checkFormat(c)
	}
}

func (h *cameraHealth) checkFormat(c proto.Camera) {
	want := h.want
	if c.Width == 0 || !h.live || c.Width == want.Width && c.Height == want.Height && (c.FourCC == "" || c.FourCC == want.FourCC) && (c.FPS == 0 || c.FPS >= 0.9*want.FPS) {
		h.degraded.Clear()
		return
	}
	h.degraded.Set(fmt.Sprintf("negotiated %s; want %s %dx%d@%g", c.Format, want.FourCC, want.Width, want.Height, want.FPS))
}

func (h *cameraHealth) lastCamera() proto.Camera {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.last
}

// captureConfig is the capture process's part of the config.
func captureConfig(c *config.Config) proto.Config {
	modes := make([]proto.Mode, len(c.Camera.Modes))
	for i, m := range c.Camera.Modes {
		modes[i] = proto.Mode{FourCC: m.FourCC, Width: m.Width, Height: m.Height, FPS: m.FPS}
	}
	return proto.Config{
		Camera: proto.CameraConfig{Device: c.Camera.Device, Replay: c.Camera.Replay, Modes: modes,
			CheckInterval: c.Health.CheckInterval.D().Milliseconds()},
		Face: proto.FaceConfig{CascadeDir: c.Face.CascadeDir, DNNModel: c.Face.DNNModel, DNNConfig: c.Face.DNNConfig,
			DetectEvery: c.Face.DetectEvery, MinEyeDistance: c.Face.MinEyeDistance, CropWidth: c.Face.CropWidth},
		Liveness: proto.LivenessConfig{Challenges: c.Liveness.Challenges, Steps: c.Liveness.Steps,
			StepTimeoutMS: c.Liveness.StepTimeout.D().Milliseconds()},
	}
}

// captureBinary is camera.capture_binary, or ventanilla-capture next to
// this executable.
func captureBinary(c *config.Config) string {
	if c.Camera.CaptureBinary != "" {
		return c.Camera.CaptureBinary
	}
	self, err := os.Executable()
	if err != nil {
		return captureBinaryName
	}
	return filepath.Join(filepath.Dir(self), captureBinaryName)
}

// wireCamera starts the capture process (camera, face quality gate,
// liveness); its client is the session engine's face port and preview.
func wireCamera(s *System, mem *secmem.Allocator) optional[*client.Client] {
	c := s.Config.Camera
	if !c.Enabled {
		return none[*client.Client]("camera.enabled = false")
	}
	h := declareCamera(s.Health)
	path, source := c.Device, "v4l2"
	if c.Replay != "" {
		path, source = c.Replay, "replay"
		h.replay.Set(c.Replay)
	}
	if s.Config.PassiveLiveness() {
		h.passive.Set("liveness.challenges = []")
	}
	h.want, h.live = c.Modes[0], source == "v4l2"
	h.dev = s.addDevice("camera", "camera", path)
	cl := client.New(client.Options{Binary: captureBinary(s.Config), Config: captureConfig(s.Config),
		Alloc: secmem.Secrets(mem), Hooks: h, Stderr: os.Stderr, Loop: s.loops.register("capture", captureStall)})
	h.dev.info = func() map[string]string { return cameraInfo(h, source) }
	s.Go("capture", cl.Run)
	s.Health.RegisterCheck(health.Check{Name: "camera.frame", Timeout: 5 * time.Second, Run: cl.SelfTest})
	s.Metrics.MustRegister(cameraCollector{h: h}, h.decisions)
	return some(cl)
}

func cameraInfo(h *cameraHealth, source string) map[string]string {
	st := h.lastCamera()
	info := map[string]string{
		"source":  source,
		"frames":  strconv.FormatUint(st.Frames, 10),
		"dropped": strconv.FormatUint(st.Dropped, 10),
		"reopens": strconv.FormatUint(st.Reopens, 10),
		"errors":  strconv.FormatUint(st.Errors, 10),
	}
	if st.Format != "" {
		info["format"] = st.Format
	}
	return info
}

// cameraCollector exports the camera's counters at scrape time (as last
// reported by the capture process).
type cameraCollector struct{ h *cameraHealth }

var (
	cameraOpenDesc = prometheus.NewDesc("ventanilla_camera_streaming",
		"1 while the camera is open and streaming (a capture, preview or self-test uses it).", nil, nil)
	cameraEventsDesc = prometheus.NewDesc("ventanilla_camera_frames_total",
		"Camera frames by what happened to them: delivered by the device, or dropped because the pipeline was slow.", []string{"event"}, nil)
	cameraReopensDesc = prometheus.NewDesc("ventanilla_camera_reopens_total",
		"Times the camera was reopened after it became unavailable.", nil, nil)
	cameraErrorsDesc = prometheus.NewDesc("ventanilla_camera_errors_total",
		"Failed camera reads and failed reopen attempts.", nil, nil)
)

func (c cameraCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{cameraOpenDesc, cameraEventsDesc, cameraReopensDesc, cameraErrorsDesc} {
		ch <- d
	}
}

func (c cameraCollector) Collect(ch chan<- prometheus.Metric) {
	st := c.h.lastCamera()
	open := 0.0
	if st.InUse {
		open = 1
	}
	ch <- prometheus.MustNewConstMetric(cameraOpenDesc, prometheus.GaugeValue, open)
	ch <- prometheus.MustNewConstMetric(cameraEventsDesc, prometheus.CounterValue, float64(st.Frames), "delivered")
	ch <- prometheus.MustNewConstMetric(cameraEventsDesc, prometheus.CounterValue, float64(st.Dropped), "dropped")
	ch <- prometheus.MustNewConstMetric(cameraReopensDesc, prometheus.CounterValue, float64(st.Reopens))
	ch <- prometheus.MustNewConstMetric(cameraErrorsDesc, prometheus.CounterValue, float64(st.Errors))
}
