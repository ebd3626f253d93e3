package config

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestCameraFaceLivenessKeys(t *testing.T) {
	doc := `version = 1
[camera]
device = "/dev/v4l/by-id/usb-cam-video-index0"
modes = ["MJPG 640x480@30", "YUYV 320x240@15.5"]
[face]
dnn_model = "/opt/models/res10.caffemodel"
dnn_config = "/opt/models/deploy.prototxt"
detect_every = 3
min_eye_distance = 60
crop_width = 600
[liveness]
challenges = ["blink", "turn_left"]
steps = 1
step_timeout = "10s"
`
	cfg, err := Parse("c.toml", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	want := []VideoMode{{"MJPG", 640, 480, 30}, {"YUYV", 320, 240, 15.5}}
	if !slices.Equal(cfg.Camera.Modes, want) || !cfg.Camera.Enabled {
		t.Errorf("camera = %+v", cfg.Camera)
	}
	if f := cfg.Face; f.DetectEvery != 3 || f.MinEyeDistance != 60 || f.CropWidth != 600 || f.CascadeDir != "/usr/share/opencv4/haarcascades" {
		t.Errorf("face = %+v", f)
	}
	l := cfg.Liveness
	if !slices.Equal(l.Challenges, []string{"blink", "turn_left"}) || l.Steps != 1 || l.StepTimeout.D() != 10*time.Second {
		t.Errorf("liveness = %+v", l)
	}
	if cfg.PassiveLiveness() {
		t.Error("challenges configured, yet passive")
	}
}

func TestCameraDefaults(t *testing.T) {
	cfg, err := Parse("d.toml", []byte("version = 1\n"))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(cfg.Camera.Modes, DefaultVideoModes()) || cfg.Camera.Replay != "" {
		t.Errorf("camera = %+v", cfg.Camera)
	}
	if !slices.Equal(cfg.Liveness.Challenges, ChallengeNames) || cfg.Liveness.Steps != 2 {
		t.Errorf("liveness = %+v", cfg.Liveness)
	}
	// Default() must not share the package's vocabulary slice.
	cfg.Liveness.Challenges[0] = "x"
	if ChallengeNames[0] != "turn_left" {
		t.Error("Default() aliases ChallengeNames")
	}
}

// TestPassiveLivenessOnlyWithReplay: a recording cannot answer random
// challenges, so challenges may be turned off only while replaying; a live
// camera must ask them.
func TestPassiveLivenessOnlyWithReplay(t *testing.T) {
	cfg, err := Parse("r.toml", []byte("version = 1\n[camera]\nreplay = \"demo.mp4\"\n[liveness]\nchallenges = []\n"))
	if err != nil {
		t.Fatal(err)
	}
	if !cfg.PassiveLiveness() || len(cfg.Liveness.Challenges) != 0 {
		t.Errorf("challenges = %v, want none", cfg.Liveness.Challenges)
	}
	if got := cfg.Summary()["liveness"]; !strings.Contains(got.(string), "passive") {
		t.Errorf("summary liveness = %v", got)
	}
	_, err = Parse("r.toml", []byte("version = 1\n[liveness]\nchallenges = []\n"))
	var ie *InvalidError
	if !errors.As(err, &ie) || ie.Key != "liveness.challenges" || ie.Line != 3 || !strings.Contains(ie.Msg, "camera.replay") {
		t.Fatalf("passive liveness on a live camera: err = %v", err)
	}
}

func TestCameraRefusals(t *testing.T) {
	tests := []struct{ doc, key, contains string }{
		{"[camera]\ndevice = \"\"\n", "camera.device", "camera.enabled = false"},
		{"[camera]\nmodes = []\n", "camera.modes", "1 to 16"},
		{"[camera]\nmodes = [\"MJPG 1280x720\"]\n", "camera.modes", "MJPG 1280x720@30"},
		{"[camera]\nmodes = [\"mjpg 1280x720@30\"]\n", "camera.modes", "FourCC"},
		{"[camera]\nmodes = [\"MJPG 99999x720@30\"]\n", "camera.modes", "out of range"},
		{"[camera]\nmodes = [\"MJPG 1280x720@0\"]\n", "camera.modes", "out of range"},
		{"[camera]\nmodes = [1280]\n", "camera.modes", "wrong type"},
		{"[camera]\nbuffer = 2\n", "camera.buffer", "unknown key"},
		{"[face]\ncascade_dir = \"\"\n", "face.cascade_dir", "opencv-data"},
		{"[face]\ndnn_config = \"x.prototxt\"\n", "face.dnn_config", "dnn_model"},
		{"[face]\ndetect_every = 0\n", "face.detect_every", "1 to 30"},
		{"[face]\nmin_eye_distance = 5\n", "face.min_eye_distance", "20 to 400"},
		{"[face]\ncrop_width = 100\n", "face.crop_width", "240 to 1200"},
		{"[liveness]\nchallenges = [\"wink\"]\n", "liveness.challenges", "not one of"},
		{"[liveness]\nchallenges = [\"blink\", \"blink\"]\n", "liveness.challenges", "twice"},
		{"[liveness]\nchallenges = [\"blink\"]\nsteps = 2\n", "liveness.steps", "1 to the number"},
		{"[liveness]\nsteps = 0\n", "liveness.steps", "1 to the number"},
		{"[liveness]\nstep_timeout = \"500ms\"\n", "liveness.step_timeout", "2s to 30s"},
		{"[liveness]\nstep_timeout = 7\n", "liveness.step_timeout", "wrong type"},
	}
	for _, tt := range tests {
		_, err := Parse("c.toml", []byte("version = 1\n"+tt.doc))
		var ie *InvalidError
		if !errors.As(err, &ie) || ie.Key != tt.key || !strings.Contains(ie.Msg, tt.contains) {
			t.Errorf("%q: err = %v, want key %s containing %q", tt.doc, err, tt.key, tt.contains)
		}
	}
	// A fingerprint-only kiosk needs no camera settings at all.
	if _, err := Parse("c.toml", []byte("version = 1\n[camera]\nenabled = false\ndevice = \"\"\n")); err != nil {
		t.Errorf("disabled camera: %v", err)
	}
}

func TestVideoModeRoundTrip(t *testing.T) {
	for _, in := range []string{"MJPG 1280x720@30", "YUYV 640x480@7.5", "H264 1920x1080@60"} {
		var m VideoMode
		if err := m.UnmarshalText([]byte(in)); err != nil {
			t.Fatalf("%s: %v", in, err)
		}
		if out, _ := m.MarshalText(); string(out) != in {
			t.Errorf("%s -> %s", in, out)
		}
	}
}

func TestCameraPathsResolved(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "v.toml")
	doc := "version = 1\n[camera]\ndevice = \"2\"\nreplay = \"media/demo.mp4\"\n[face]\ncascade_dir = \"cascades\"\ndnn_model = \"m/res10.caffemodel\"\ndnn_config = \"m/deploy.prototxt\"\n"
	if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Camera.Device != "2" {
		t.Errorf("camera index became %q", cfg.Camera.Device)
	}
	for got, want := range map[string]string{cfg.Camera.Replay: "media/demo.mp4", cfg.Face.CascadeDir: "cascades",
		cfg.Face.DNNModel: "m/res10.caffemodel", cfg.Face.DNNConfig: "m/deploy.prototxt"} {
		if got != filepath.Join(dir, want) {
			t.Errorf("%s not resolved: %s", want, got)
		}
	}
	cfg.Camera.Device = "dev/cam"
	cfg.resolvePaths(dir)
	if cfg.Camera.Device != filepath.Join(dir, "dev/cam") {
		t.Errorf("relative device path not resolved: %s", cfg.Camera.Device)
	}
}
