package config

import (
	"fmt"
	"path/filepath"
	"strconv"
	"time"
)

// Camera configures the kiosk camera (drivers/camera).
type Camera struct {
	// Enabled offers face capture; false makes a fingerprint-only kiosk.
	Enabled bool `toml:"enabled"`
	// Device is the UVC camera: a stable path (the package's udev rules
	// make /dev/ventanilla/camera), /dev/videoN, or a decimal index.
	Device string `toml:"device"`
	// Replay, when set, plays a video file, a folder of images or one
	// image instead of the camera, looped: for demonstrations and tests
	// without hardware only. It raises the camera.replay condition.
	Replay string `toml:"replay"`
	// Modes is the format negotiation order, best first.
	Modes []VideoMode `toml:"modes"`
	// CaptureBinary is the ventanilla-capture executable, which runs the
	// camera, face analysis and liveness in a process of its own; empty
	// means the one next to ventanillad's own executable.
	CaptureBinary string `toml:"capture_binary"`
}

// Face configures detection and the quality gate (capture/face).
type Face struct {
	// CascadeDir holds the Haar cascades of opencv-data (face, eyes, and
	// the smile and profile cascades liveness uses).
	CascadeDir string `toml:"cascade_dir"`
	// DNNModel and DNNConfig, when DNNModel is set, replace the face
	// cascade by an OpenCV DNN SSD face detector (e.g. res10 300x300).
	DNNModel  string `toml:"dnn_model"`
	DNNConfig string `toml:"dnn_config"`
	// DetectEvery runs the detector every N frames and tracks in between.
	DetectEvery int `toml:"detect_every"`
	// MinEyeDistance is the least inter-eye distance, in camera pixels, of
	// a face the gate accepts (ISO/IEC 19794-5 full frontal asks 90).
	MinEyeDistance float64 `toml:"min_eye_distance"`
	// CropWidth is the width of the token frontal JPEG sent to INE
	// (height 4/3 of it).
	CropWidth int `toml:"crop_width"`
}

// Liveness configures the presentation-attack check (liveness).
type Liveness struct {
	// Challenges is the set random challenge sequences are drawn from.
	// Empty means passive liveness only, which is allowed only with
	// camera.replay: a recording cannot answer random challenges.
	Challenges []string `toml:"challenges"`
	// Steps is the number of distinct challenges asked per capture.
	Steps int `toml:"steps"`
	// StepTimeout bounds each challenge.
	StepTimeout Duration `toml:"step_timeout"`
}

// ChallengeNames is the challenge vocabulary of package liveness.
var ChallengeNames = []string{"turn_left", "turn_right", "blink", "smile", "move_closer"}

// VideoMode is one camera format, written "MJPG 1280x720@30": FourCC,
// width x height, frames per second.
type VideoMode struct {
	FourCC        string
	Width, Height int
	FPS           float64
}

var videoModePattern = lazyRegexp(`^([A-Z0-9]{4}) ([0-9]{2,5})x([0-9]{2,5})@([0-9]+(?:\.[0-9]+)?)$`)

// UnmarshalText implements encoding.TextUnmarshaler.
func (m *VideoMode) UnmarshalText(b []byte) error {
	p := videoModePattern().FindStringSubmatch(string(b))
	if p == nil {
		return fmt.Errorf("want a mode such as \"MJPG 1280x720@30\" (FourCC, width x height @ fps), got %q", string(b))
	}
	w, _ := strconv.Atoi(p[2])
	h, _ := strconv.Atoi(p[3])
	fps, _ := strconv.ParseFloat(p[4], 64)
	if w < 160 || h < 120 || w > 7680 || h > 4320 || fps < 1 || fps > 240 {
		return fmt.Errorf("mode %q is out of range (160x120 to 7680x4320, 1 to 240 fps)", string(b))
	}
	*m = VideoMode{FourCC: p[1], Width: w, Height: h, FPS: fps}
	return nil
}

// MarshalText implements encoding.TextMarshaler.
func (m VideoMode) MarshalText() ([]byte, error) { return []byte(m.String()), nil }

func (m VideoMode) String() string {
	return fmt.Sprintf("%s %dx%d@%g", m.FourCC, m.Width, m.Height, m.FPS)
}

// UnmarshalTOML implements unstable.Unmarshaler.
func (m *VideoMode) UnmarshalTOML(raw []byte) error {
	s, err := tomlString(raw, `"MJPG 1280x720@30"`)
	if err != nil {
		return err
	}
	return positioned(raw, m.UnmarshalText([]byte(s)))
}

// DefaultVideoModes is drivers/camera's DefaultModes: MJPG 720p at 30 fps
// first, then what USB 2.0 cameras without it manage.
func DefaultVideoModes() []VideoMode {
	return []VideoMode{{"MJPG", 1280, 720, 30}, {"MJPG", 640, 480, 30}, {"YUYV", 640, 480, 30}, {"YUYV", 1280, 720, 10}}
}

func defaultCamera() Camera {
	return Camera{Enabled: true, Device: "/dev/ventanilla/camera", Modes: DefaultVideoModes()}
}

func defaultFace() Face {
	return Face{CascadeDir: "/usr/share/opencv4/haarcascades", DetectEvery: 5, MinEyeDistance: 90, CropWidth: 480}
}

func defaultLiveness() Liveness {
	return Liveness{Challenges: append([]string(nil), ChallengeNames...), Steps: 2, StepTimeout: Dur(7 * time.Second)}
}

// PassiveLiveness reports whether liveness runs without challenges (only
// possible with camera.replay).
func (c *Config) PassiveLiveness() bool { return len(c.Liveness.Challenges) == 0 }

func (c *Config) cameraSummary() string {
	switch {
	case !c.Camera.Enabled:
		return "disabled"
	case c.Camera.Replay != "":
		return "replay " + c.Camera.Replay
	}
	return c.Camera.Device
}

func (c *Config) livenessSummary() string {
	if c.PassiveLiveness() {
		return "passive only (replay)"
	}
	return fmt.Sprintf("%d of %v, %v each", c.Liveness.Steps, c.Liveness.Challenges, c.Liveness.StepTimeout.D())
}

func (c *Config) validateCamera() error {
	cam := c.Camera
	if !cam.Enabled {
		return nil
	}
	if cam.Device == "" && cam.Replay == "" {
		return invalid("camera.device", "must name the camera (or set camera.enabled = false)")
	}
	if cam.CaptureBinary != "" && !filepath.IsAbs(cam.CaptureBinary) {
		return invalid("camera.capture_binary", "must be an absolute path (or empty: next to ventanillad)")
	}
	if len(cam.Modes) == 0 || len(cam.Modes) > 16 {
		return invalid("camera.modes", "list 1 to 16 modes, best first, such as \"MJPG 1280x720@30\"")
	}
	return nil
}

func (c *Config) validateFace() error {
	f := c.Face
	switch {
	case f.CascadeDir == "":
		return invalid("face.cascade_dir", "must name the Haar cascade directory (opencv-data installs /usr/share/opencv4/haarcascades)")
	case f.DNNConfig != "" && f.DNNModel == "":
		return invalid("face.dnn_config", "is only used with face.dnn_model")
	case f.DetectEvery < 1 || f.DetectEvery > 30:
		return invalid("face.detect_every", "must be 1 to 30 frames")
	case f.MinEyeDistance < 20 || f.MinEyeDistance > 400:
		return invalid("face.min_eye_distance", "must be 20 to 400 pixels (ISO/IEC 19794-5 full frontal asks 90)")
	case f.CropWidth < 240 || f.CropWidth > 1200:
		return invalid("face.crop_width", "must be 240 to 1200 pixels")
	}
	return nil
}

func (c *Config) validateLiveness() error {
	l := c.Liveness
	seen := map[string]bool{}
	for _, ch := range l.Challenges {
		if !knownChallenge(ch) {
			return invalid("liveness.challenges", "%q is not one of %v", ch, ChallengeNames)
		}
		if seen[ch] {
			return invalid("liveness.challenges", "%q is listed twice", ch)
		}
		seen[ch] = true
	}
	if len(l.Challenges) == 0 {
		if c.Camera.Enabled && c.Camera.Replay == "" {
			return invalid("liveness.challenges", "may be empty (passive liveness only) only with camera.replay: a live camera must ask random challenges")
		}
		return nil
	}
	if l.Steps < 1 || l.Steps > len(l.Challenges) {
		return invalid("liveness.steps", "must be 1 to the number of challenges listed (%d)", len(l.Challenges))
	}
	if d := l.StepTimeout.D(); d < 2*time.Second || d > 30*time.Second {
		return invalid("liveness.step_timeout", "must be 2s to 30s")
	}
	return nil
}

func knownChallenge(s string) bool {
	for _, n := range ChallengeNames {
		if s == n {
			return true
		}
	}
	return false
}
