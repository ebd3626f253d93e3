package proto

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"math"
	"regexp"
	"slices"
	"unicode/utf8"

	"github.com/ventanilla-mx/ventanilla/vocab"
)

// Config is the capture process's configuration (the daemon's camera,
// face and liveness sections).
type Config struct {
	Camera   CameraConfig   `json:"camera"`
	Face     FaceConfig     `json:"face"`
	Liveness LivenessConfig `json:"liveness"`
}

// CameraConfig selects the device: a V4L2 path or index, or a replay.
type CameraConfig struct {
	Device        string `json:"device,omitempty"`
	Replay        string `json:"replay,omitempty"`
	Modes         []Mode `json:"modes,omitempty"`
	CheckInterval int64  `json:"check_interval_ms"` // how often a failing camera is probed
}

// Mode is a wanted video mode.
type Mode struct {
	FourCC string  `json:"fourcc"`
	Width  int     `json:"width"`
	Height int     `json:"height"`
	FPS    float64 `json:"fps"`
}

// FaceConfig is the face analyser's configuration.
type FaceConfig struct {
	CascadeDir     string  `json:"cascade_dir"`
	DNNModel       string  `json:"dnn_model,omitempty"`
	DNNConfig      string  `json:"dnn_config,omitempty"`
	DetectEvery    int     `json:"detect_every"`
	MinEyeDistance float64 `json:"min_eye_distance"`
	CropWidth      int     `json:"crop_width"`
}

// LivenessConfig is the liveness check's configuration; no challenges
// means passive only.
type LivenessConfig struct {
	Challenges    []string `json:"challenges"`
	Steps         int      `json:"steps"`
	StepTimeoutMS int64    `json:"step_timeout_ms"`
}

// Prompt is what the citizen is asked to do (session.Prompt).
type Prompt struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Step    int    `json:"step,omitempty"`
	Steps   int    `json:"steps,omitempty"`
}

// Meta is the liveness summary of a result (session.Liveness).
type Meta struct {
	Decision vocab.Verdict      `json:"decision"`         // live, spoof or uncertain
	Reason   string             `json:"reason,omitempty"` // the cue or rule that decided (closed vocabulary)
	Method   string             `json:"method"`
	Cues     map[string]float64 `json:"cues"`
}

// Camera is the device's state and counters.
type Camera struct {
	State   string  `json:"state"` // idle, streaming, unavailable, ended
	Detail  string  `json:"detail,omitempty"`
	Format  string  `json:"format,omitempty"`
	Width   int     `json:"width,omitempty"`
	Height  int     `json:"height,omitempty"`
	FourCC  string  `json:"fourcc,omitempty"`
	FPS     float64 `json:"fps,omitempty"`
	InUse   bool    `json:"in_use"`
	Frames  uint64  `json:"frames"`
	Dropped uint64  `json:"dropped"`
	Reopens uint64  `json:"reopens"`
	Errors  uint64  `json:"errors"`
}

// Code classifies an Error message.
type Code byte

// Error codes.
const (
	CodeDevice   Code = 1 // the camera failed; the citizen may retry
	CodeQuality  Code = 2 // no usable image (e.g. live but no shot)
	CodeModels   Code = 3 // models could not be loaded
	CodeCanceled Code = 4 // the capture was cancelled
	CodeProtocol Code = 5 // the peer broke the protocol
	CodeInternal Code = 6
)

var (
	codeRE      = regexp.MustCompile(`^[a-z0-9._-]{1,48}$`)
	cameraState = []string{"idle", "streaming", "unavailable", "ended"}
)

// strict decodes one JSON value, refusing unknown fields and trailing data.
func strict(p []byte, v any) error {
	if len(p) > MaxJSON || !utf8.Valid(p) {
		return malformed("JSON payload of %d bytes", len(p))
	}
	dec := json.NewDecoder(bytes.NewReader(p))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return malformed("JSON: %v", err)
	}
	if dec.More() {
		return malformed("JSON: trailing data")
	}
	return nil
}

// EncodeJSON is a JSON payload (for Configure, Prompt and Camera).
func EncodeJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil { // only plain structs are encoded
		panic(err)
	}
	return b
}

// DecodeConfig decodes a Configure payload.
func DecodeConfig(p []byte) (*Config, error) {
	var c Config
	if err := strict(p, &c); err != nil {
		return nil, err
	}
	if c.Face.DetectEvery < 1 || c.Face.CropWidth < 1 || c.Liveness.StepTimeoutMS < 0 || c.Liveness.Steps < 0 ||
		len(c.Liveness.Challenges) > 0 && c.Liveness.Steps > len(c.Liveness.Challenges) || c.Camera.CheckInterval < 0 {
		return nil, malformed("configure: values out of range")
	}
	return &c, nil
}

// DecodePrompt decodes a Prompt payload.
func DecodePrompt(p []byte) (Prompt, error) {
	var q Prompt
	if err := strict(p, &q); err != nil {
		return Prompt{}, err
	}
	if !codeRE.MatchString(q.Code) || q.Message == "" || len(q.Message) > MaxText ||
		q.Step < 0 || q.Steps < 0 || q.Step > q.Steps {
		return Prompt{}, malformed("prompt: values out of range")
	}
	return q, nil
}

// DecodeCamera decodes a Camera payload.
func DecodeCamera(p []byte) (Camera, error) {
	var c Camera
	if err := strict(p, &c); err != nil {
		return Camera{}, err
	}
	if !slices.Contains(cameraState, c.State) || len(c.Detail) > MaxText || c.Width < 0 || c.Height < 0 || c.FPS < 0 {
		return Camera{}, malformed("camera: values out of range")
	}
	return c, nil
}

// EncodeResult is a Result payload: the summary and the JPEG (nil for a
// face that is not live).
func EncodeResult(m Meta, jpeg []byte) [][]byte {
	meta := EncodeJSON(m)
	return [][]byte{binary.BigEndian.AppendUint32(nil, uint32(len(meta))), meta, jpeg}
}

// DecodeResult decodes a Result payload; jpeg aliases p (the caller copies
// it into locked memory and wipes p).
func DecodeResult(p []byte) (m Meta, jpeg []byte, err error) {
	if len(p) < 4 {
		return Meta{}, nil, malformed("result: %d bytes", len(p))
	}
	n := binary.BigEndian.Uint32(p)
	if uint64(n) > uint64(len(p)-4) || n > MaxJSON {
		return Meta{}, nil, malformed("result: meta length %d", n)
	}
	if err := strict(p[4:4+n], &m); err != nil {
		return Meta{}, nil, err
	}
	if !m.Decision.Valid() || m.Method == "" || len(m.Method) > 64 || len(m.Cues) > 32 ||
		m.Reason != "" && !codeRE.MatchString(m.Reason) {
		return Meta{}, nil, malformed("result: values out of range")
	}
	for k, v := range m.Cues {
		if !codeRE.MatchString(k) || math.IsNaN(v) || v < 0 || v > 1 {
			return Meta{}, nil, malformed("result: cue out of range")
		}
	}
	jpeg = p[4+n:]
	switch {
	case len(jpeg) > MaxJPEG:
		return Meta{}, nil, malformed("result: JPEG of %d bytes", len(jpeg))
	case m.Decision == vocab.Live && len(jpeg) == 0:
		return Meta{}, nil, malformed("result: live without a best shot")
	case m.Decision != vocab.Live && len(jpeg) > 0:
		return Meta{}, nil, malformed("result: a best shot of a face that is not live")
	case len(jpeg) > 0 && (len(jpeg) < 4 || jpeg[0] != 0xFF || jpeg[1] != 0xD8):
		return Meta{}, nil, malformed("result: best shot is not a JPEG")
	}
	return m, jpeg, nil
}

// EncodeError is an Error payload.
func EncodeError(c Code, msg string) []byte {
	if len(msg) > MaxText {
		msg = msg[:MaxText]
	}
	return append([]byte{byte(c)}, msg...)
}

// DecodeError decodes an Error payload.
func DecodeError(p []byte) (Code, string, error) {
	if len(p) < 1 || len(p) > 1+MaxText {
		return 0, "", malformed("error: %d bytes", len(p))
	}
	c := Code(p[0])
	if c < CodeDevice || c > CodeInternal || !utf8.Valid(p[1:]) {
		return 0, "", malformed("error: code %d", p[0])
	}
	return c, string(p[1:]), nil
}

// DecodeText decodes a SelfTestDone payload ("" when it passed).
func DecodeText(p []byte) (string, error) {
	if len(p) > MaxText || !utf8.Valid(p) {
		return "", malformed("text of %d bytes", len(p))
	}
	return string(p), nil
}
