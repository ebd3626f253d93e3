package daemon

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/ventanilla-mx/ventanilla/capture/camhub"
	"github.com/ventanilla-mx/ventanilla/drivers/camera"
	"github.com/ventanilla-mx/ventanilla/health"
)

const (
	condCameraUnavailable health.Code = "camera.unavailable"
	condCameraFormat      health.Code = "camera.format_degraded"
	condCameraReplay      health.Code = "camera.replay"
	condFaceModels        health.Code = "face.models_missing"
	condLivenessPassive   health.Code = "liveness.passive_only"
)

// cameraFrameWait bounds the self-test's wait for the first frame.
const cameraFrameWait = 2 * time.Second

// cameraHealth turns the camera's events into conditions and its
// /v1/devices entry.
type cameraHealth struct {
	unavailable, degraded, replay, models, passive *health.Tracker
	dev                                            *device
	want                                           camera.Mode // the best mode; less raises camera.format_degraded
	live                                           bool        // a V4L2 device (not a replay)

	mu      sync.Mutex
	format  camera.Format // last negotiated
	failing bool          // the last open or stream failed
}

func declareCamera(reg *health.Registry) *cameraHealth {
	return &cameraHealth{
		unavailable: reg.Declare(health.Condition{Code: condCameraUnavailable, Severity: health.Warning,
			TimeToVisible: 2 * time.Second,
			Message:       "the camera is unplugged or cannot be opened: check its USB cable and `ventanillactl devices`; fingerprint-only verification still works"}),
		degraded: reg.Declare(health.Condition{Code: condCameraFormat, Severity: health.Warning, DependsOn: []health.Code{condCameraUnavailable},
			Message: "the camera does not give its best format (first of camera.modes): check it sits on a USB 2.0+ port of its own and is the approved model; face capture still works, with less detail or fewer frames"}),
		replay: reg.Declare(health.Condition{Code: condCameraReplay, Severity: health.Warning,
			Message: "camera.replay is set: the camera is a recording and no real person can be verified; demonstrations only, remove it on a kiosk that serves citizens"}),
		models: reg.Declare(health.Condition{Code: condFaceModels, Severity: health.Warning,
			Message: "face detection or liveness models could not be loaded: install opencv-data or fix face.cascade_dir / face.dnn_model; face capture is off"}),
		passive: reg.Declare(health.Condition{Code: condLivenessPassive, Severity: health.Warning,
			Message: "liveness.challenges is empty: only passive liveness runs, which a printed photo can pass more easily; allowed only with camera.replay"}),
	}
}

var _ camhub.Observer = (*cameraHealth)(nil)

// OnState runs on the driver's goroutine with the driver locked: it only records.
func (h *cameraHealth) OnState(st camera.State, cause error) {
	detail := ""
	if cause != nil {
		detail = cause.Error()
	}
	switch st {
	case camera.StateStreaming: // the device entry first: a health watcher may look at it next
		h.setFailing(false)
		h.dev.set("streaming", "")
		h.unavailable.Clear()
	case camera.StateUnavailable:
		h.setFailing(true)
		h.dev.set("unavailable", detail)
		h.unavailable.Set(detail)
	case camera.StateEnded:
		h.dev.set("ended", "")
	default: // idle or closed: the hub closes the device between uses
		h.dev.set("idle", "")
	}
}

// Opened implements camhub.Observer.
func (h *cameraHealth) Opened(f camera.Format) {
	h.mu.Lock()
	h.format, h.failing = f, false
	h.mu.Unlock()
	h.dev.set("idle", "")
	h.unavailable.Clear()
	want := h.want
	if !h.live || f.Width == want.Width && f.Height == want.Height && (f.FourCC == "" || f.FourCC == want.FourCC) && (f.FPS == 0 || f.FPS >= 0.9*want.FPS) {
		h.degraded.Clear()
		return
	}
	h.degraded.Set(fmt.Sprintf("negotiated %v; want %s %dx%d@%g", f, want.FourCC, want.Width, want.Height, want.FPS))
}

// OpenFailed implements camhub.Observer.
func (h *cameraHealth) OpenFailed(err error) {
	h.setFailing(true)
	h.dev.set("unavailable", err.Error())
	h.unavailable.SetErr(err)
}

func (h *cameraHealth) setFailing(v bool) {
	h.mu.Lock()
	h.failing = v
	h.mu.Unlock()
}

func (h *cameraHealth) isFailing() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.failing
}

func (h *cameraHealth) lastFormat() camera.Format {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.format
}

// cameraOpener builds the configured camera: the V4L2 device, or the
// replay. A replay path that is a symbolic link is judged (video, folder
// or image) by its target's name.
type cameraOpener func(o camera.Opts) (camera.Camera, error)

func configuredCamera(s *System) cameraOpener {
	c := s.Config.Camera
	if c.Replay != "" {
		return func(o camera.Opts) (camera.Camera, error) {
			path := c.Replay
			if real, err := filepath.EvalSymlinks(path); err == nil {
				path = real
			}
			return camera.NewReplay(path, &camera.ReplayOpts{Opts: o, Loop: true})
		}
	}
	modes := make([]camera.Mode, len(c.Modes))
	for i, m := range c.Modes {
		modes[i] = camera.Mode{FourCC: m.FourCC, Width: m.Width, Height: m.Height, FPS: m.FPS}
	}
	return func(o camera.Opts) (camera.Camera, error) {
		return camera.NewV4L2(c.Device, &camera.V4L2Opts{Opts: o, Modes: modes})
	}
}

// wireCamera wires the camera, the face quality gate and liveness, and sets
// s.faceCapture and s.preview for the session engine.
func wireCamera(s *System) {
	if s.Config.Camera.Enabled {
		wireCameraWith(s, configuredCamera(s))
	}
}

// wireCameraWith is wireCamera with the camera's constructor given (tests
// replay media through it).
func wireCameraWith(s *System, open cameraOpener) *camhub.Hub {
	c := s.Config.Camera
	h := declareCamera(s.Health)
	path, source := c.Device, "v4l2"
	if c.Replay != "" {
		path, source = c.Replay, "replay"
		h.replay.Set(c.Replay)
	}
	m := c.Modes[0]
	h.want, h.live = camera.Mode{FourCC: m.FourCC, Width: m.Width, Height: m.Height, FPS: m.FPS}, source == "v4l2"
	h.dev = s.addDevice("camera", "camera", path)
	hub := camhub.New(open, h)
	h.dev.info = func() map[string]string { return cameraInfo(hub, h, source) }
	s.Go("camera", func(ctx context.Context) error { return watchCamera(ctx, s, hub, h, path) })
	s.Health.RegisterCheck(health.Check{Name: "camera.frame", Timeout: 5 * time.Second,
		Run: func(ctx context.Context) error { return hub.SelfTest(ctx, cameraFrameWait) }})
	s.Metrics.MustRegister(cameraCollector{hub: hub})
	wireFace(s, hub, h)
	return hub
}

// watchCamera probes the camera once at start, then, while it is closed,
// watches its device node so an unplugged camera shows before a citizen
// needs it, and probes it again while it is failing (after an unplug, or a
// capture that lost it), so the condition clears once it works; it closes
// the camera when the daemon stops.
func watchCamera(ctx context.Context, s *System, hub *camhub.Hub, h *cameraHealth, path string) error {
	defer hub.Close()
	hub.Probe()
	tick := time.NewTicker(s.Config.Health.CheckInterval.D())
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
		if hub.InUse() {
			continue
		}
		if _, err := strconv.Atoi(path); err != nil { // a bare index has no node to watch
			if _, err := os.Stat(path); err != nil {
				h.OpenFailed(fmt.Errorf("camera: %s: %w", path, err))
				continue
			}
		}
		if h.isFailing() {
			hub.Probe()
		}
	}
}

func cameraInfo(hub *camhub.Hub, h *cameraHealth, source string) map[string]string {
	st := hub.Stats()
	info := map[string]string{
		"source":  source,
		"frames":  strconv.FormatUint(st.Frames, 10),
		"dropped": strconv.FormatUint(st.Dropped, 10),
		"reopens": strconv.FormatUint(st.Reopens, 10),
		"errors":  strconv.FormatUint(st.Errors, 10),
	}
	if f := h.lastFormat(); f.Width > 0 {
		info["format"] = strings.TrimSpace(f.String()) // a replay has no FourCC
	}
	return info
}

// cameraCollector exports the camera's counters at scrape time.
type cameraCollector struct{ hub *camhub.Hub }

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
	open := 0.0
	if c.hub.InUse() {
		open = 1
	}
	st := c.hub.Stats()
	ch <- prometheus.MustNewConstMetric(cameraOpenDesc, prometheus.GaugeValue, open)
	ch <- prometheus.MustNewConstMetric(cameraEventsDesc, prometheus.CounterValue, float64(st.Frames), "delivered")
	ch <- prometheus.MustNewConstMetric(cameraEventsDesc, prometheus.CounterValue, float64(st.Dropped), "dropped")
	ch <- prometheus.MustNewConstMetric(cameraReopensDesc, prometheus.CounterValue, float64(st.Reopens))
	ch <- prometheus.MustNewConstMetric(cameraErrorsDesc, prometheus.CounterValue, float64(st.Errors))
}
