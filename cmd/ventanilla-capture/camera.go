package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/ventanilla-mx/ventanilla/capture/camhub"
	"github.com/ventanilla-mx/ventanilla/capture/proto"
	"github.com/ventanilla-mx/ventanilla/drivers/camera"
)

// opener builds the configured camera: the V4L2 device, or the replay (a
// looping recording; a symbolic link is judged by its target's name).
func opener(c proto.CameraConfig) func(camera.Opts) (camera.Camera, error) {
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

// reporter is the hub's observer: every change of the device goes up as a
// Camera message (state, format, counters).
type reporter struct {
	send func(proto.Camera)
	hub  *camhub.Hub

	mu      sync.Mutex
	last    proto.Camera
	failing bool
}

var _ camhub.Observer = (*reporter)(nil)

func (r *reporter) OnState(st camera.State, cause error) {
	r.mu.Lock()
	switch st {
	case camera.StateStreaming:
		r.last.State, r.last.Detail, r.failing = "streaming", "", false
	case camera.StateUnavailable:
		r.last.State, r.last.Detail, r.failing = "unavailable", errText(cause), true
	case camera.StateEnded:
		r.last.State, r.last.Detail = "ended", ""
	default:
		r.last.State, r.last.Detail = "idle", ""
	}
	r.mu.Unlock()
	r.report() // sends only: never calls back into the driver, which is locked
}

func (r *reporter) Opened(f camera.Format) {
	r.mu.Lock()
	r.last.State, r.last.Detail, r.failing = "idle", "", false
	r.last.Width, r.last.Height, r.last.FourCC, r.last.FPS = f.Width, f.Height, f.FourCC, f.FPS
	r.last.Format = strings.TrimSpace(f.String())
	r.mu.Unlock()
	r.report()
}

func (r *reporter) OpenFailed(err error) {
	r.mu.Lock()
	r.last.State, r.last.Detail, r.failing = "unavailable", errText(err), true
	r.mu.Unlock()
	r.report()
}

func (r *reporter) isFailing() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.failing
}

// report sends the current state with the hub's counters.
func (r *reporter) report() {
	r.mu.Lock()
	c := r.last
	r.mu.Unlock()
	if c.State == "" {
		return
	}
	if r.hub != nil {
		st := r.hub.Stats()
		c.Frames, c.Dropped, c.Reopens, c.Errors = st.Frames, st.Dropped, st.Reopens, st.Errors
		c.InUse = r.hub.InUse()
	}
	r.send(c)
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	s := err.Error()
	if len(s) > proto.MaxText {
		s = s[:proto.MaxText]
	}
	return s
}

// checkNode reports a V4L2 device node that is missing (a bare index has
// none to check).
func checkNode(path string) error {
	if _, err := strconv.Atoi(path); err == nil || path == "" {
		return nil
	}
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("camera: %s: %w", path, err)
	}
	return nil
}
