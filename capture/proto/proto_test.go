package proto

import (
	"bytes"
	"errors"
	"testing"
)

var jpegBytes = []byte{0xFF, 0xD8, 0xFF, 0xE0, 1, 2, 3, 0xFF, 0xD9}

func TestDecodeTable(t *testing.T) {
	live := Meta{Decision: "live", Method: "static", Cues: map[string]float64{"texture": 0.7}}
	tests := []struct {
		name string
		b    []byte
		ok   bool
	}{
		{"capture", Append(nil, TCapture), true},
		{"ready", Append(nil, TReady), true},
		{"preview on", Append(nil, TPreview, []byte{1}), true},
		{"preview flag 2", Append(nil, TPreview, []byte{2}), false},
		{"preview empty", Append(nil, TPreview), false},
		{"capture with payload", Append(nil, TCapture, []byte{0}), false},
		{"unknown type", Append(nil, Type(0x42)), false},
		{"short header", []byte{byte(TCapture), 0, 0}, false},
		{"empty", nil, false},
		{"length too long", Append(nil, TFrame, []byte{1, 2, 3})[:7], false},
		{"trailing byte", append(Append(nil, TFrame, []byte{1, 2}), 3), false},
		{"error without code", Append(nil, TError), false},
		{"error", Append(nil, TError, EncodeError(CodeDevice, "camera gone")), true},
		{"frame too big", Append(nil, TFrame, make([]byte, MaxFrame+1)), false},
		{"result", Append(nil, TResult, EncodeResult(live, jpegBytes)...), true},
		{"ping", Append(nil, TPing, EncodeSeq(1)), true},
		{"pong", Append(nil, TPong, EncodeSeq(1<<63)), true},
		{"ping short", Append(nil, TPing, []byte{1, 2, 3, 4, 5, 6, 7}), false},
		{"pong empty", Append(nil, TPong), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := Decode(tc.b)
			if (err == nil) != tc.ok {
				t.Fatalf("Decode = %v; want ok %v", err, tc.ok)
			}
			if err != nil && !errors.Is(err, ErrMalformed) {
				t.Errorf("error %v does not wrap ErrMalformed", err)
			}
		})
	}
}

func TestResultTable(t *testing.T) {
	enc := func(m Meta, j []byte) []byte { return bytes.Join(EncodeResult(m, j), nil) }
	tests := []struct {
		name string
		p    []byte
		ok   bool
	}{
		{"live", enc(Meta{Decision: "live", Method: "static", Cues: map[string]float64{"a": 1}}, jpegBytes), true},
		{"spoof", enc(Meta{Decision: "spoof", Method: "static"}, nil), true},
		{"live without shot", enc(Meta{Decision: "live", Method: "static"}, nil), false},
		{"spoof with shot", enc(Meta{Decision: "spoof", Method: "static"}, jpegBytes), false},
		{"not a jpeg", enc(Meta{Decision: "live", Method: "static"}, []byte("GIF89a...")), false},
		{"old spelling", enc(Meta{Decision: "LIVE", Method: "static"}, jpegBytes), false},
		{"cue out of range", enc(Meta{Decision: "spoof", Method: "static", Cues: map[string]float64{"a": 1.5}}, nil), false},
		{"cue name", enc(Meta{Decision: "spoof", Method: "static", Cues: map[string]float64{"Ä": 0.5}}, nil), false},
		{"no method", enc(Meta{Decision: "spoof"}, nil), false},
		{"unknown field", append([]byte{0, 0, 0, 46}, `{"decision":"spoof","method":"static","who":1}`...), false},
		{"trailing json", append([]byte{0, 0, 0, 41}, `{"decision":"spoof","method":"static"} {}`...), false},
		{"meta length beyond", []byte{0, 0, 1, 0, '{', '}'}, false},
		{"short", []byte{0, 0}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, j, err := DecodeResult(tc.p)
			if (err == nil) != tc.ok {
				t.Fatalf("DecodeResult = %+v, %d bytes, %v; want ok %v", m, len(j), err, tc.ok)
			}
		})
	}
}

func TestPromptAndCamera(t *testing.T) {
	if q, err := DecodePrompt(EncodeJSON(Prompt{Code: "challenge.blink", Message: "Parpadee.", Step: 1, Steps: 2})); err != nil || q.Step != 1 {
		t.Errorf("prompt: %+v %v", q, err)
	}
	for _, bad := range []Prompt{{Code: "Bad Code", Message: "x"}, {Code: "a"}, {Code: "a", Message: "x", Step: 3, Steps: 2}} {
		if _, err := DecodePrompt(EncodeJSON(bad)); err == nil {
			t.Errorf("prompt %+v accepted", bad)
		}
	}
	if c, err := DecodeCamera(EncodeJSON(Camera{State: "streaming", Frames: 3})); err != nil || c.Frames != 3 {
		t.Errorf("camera: %+v %v", c, err)
	}
	if _, err := DecodeCamera(EncodeJSON(Camera{State: "on fire"})); err == nil {
		t.Error("unknown camera state accepted")
	}
	cfg := Config{Face: FaceConfig{DetectEvery: 5, CropWidth: 480}, Liveness: LivenessConfig{Challenges: []string{"blink"}, Steps: 1}}
	if _, err := DecodeConfig(EncodeJSON(cfg)); err != nil {
		t.Errorf("config: %v", err)
	}
	cfg.Liveness.Steps = 2
	if _, err := DecodeConfig(EncodeJSON(cfg)); err == nil {
		t.Error("more steps than challenges accepted")
	}
	if c, msg, err := DecodeError(EncodeError(CodeModels, "no cascades")); err != nil || c != CodeModels || msg != "no cascades" {
		t.Errorf("error: %v %q %v", c, msg, err)
	}
	if _, _, err := DecodeError([]byte{99}); err == nil {
		t.Error("unknown error code accepted")
	}
}

// FuzzDecode: no input panics, and what decodes re-encodes to itself.
func FuzzDecode(f *testing.F) {
	f.Add(Append(nil, TResult, EncodeResult(Meta{Decision: "live", Method: "static"}, jpegBytes)...))
	f.Add(Append(nil, TPrompt, EncodeJSON(Prompt{Code: "face.ok", Message: "Bien."})))
	f.Add(Append(nil, TCamera, EncodeJSON(Camera{State: "idle"})))
	f.Add(Append(nil, TError, EncodeError(CodeDevice, "x")))
	f.Add(Append(nil, TPreview, []byte{1}))
	f.Add(Append(nil, TPing, EncodeSeq(7)))
	f.Fuzz(func(t *testing.T, b []byte) {
		typ, p, err := Decode(b)
		if err != nil {
			return
		}
		if re := Append(nil, typ, p); !bytes.Equal(re, b) {
			t.Fatalf("re-encoded %x; was %x", re, b)
		}
		switch typ {
		case TResult:
			if m, j, err := DecodeResult(p); err == nil && (m.Decision == "live") != (len(j) > 0) {
				t.Fatalf("result %+v with %d JPEG bytes", m, len(j))
			}
		case TPrompt:
			DecodePrompt(p)
		case TCamera:
			DecodeCamera(p)
		case TConfigure:
			DecodeConfig(p)
		case TError:
			DecodeError(p)
		case TSelfTestDone:
			DecodeText(p)
		case TPing, TPong:
			if _, err := DecodeSeq(p); err != nil {
				t.Fatalf("%s accepted by Decode, refused by DecodeSeq: %v", typ, err)
			}
		}
	})
}
