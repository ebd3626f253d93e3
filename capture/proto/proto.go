package proto

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Type is a message's first byte.
type Type byte

// Down: from the daemon to the capture process.
const (
	TConfigure Type = 0x01 // JSON Config; first message, once
	TCapture   Type = 0x02 // empty: run one face capture
	TCancel    Type = 0x03 // empty: cancel the running capture
	TPreview   Type = 0x04 // one byte: 1 preview on, 0 off
	TSelfTest  Type = 0x05 // empty: open the camera and wait for a frame
	TPing      Type = 0x06 // 8-byte sequence number: answer with a Pong
)

// Up: from the capture process to the daemon.
const (
	TReady        Type = 0x81 // empty: configured, models loaded
	TPrompt       Type = 0x82 // JSON Prompt
	TFrame        Type = 0x83 // a preview JPEG (at most MaxFrame bytes)
	TResult       Type = 0x84 // uint32 meta length, JSON Meta, best-shot JPEG (may be empty)
	TError        Type = 0x85 // one Code byte, then a message (no personal data)
	TCamera       Type = 0x86 // JSON Camera
	TSelfTestDone Type = 0x87 // empty (passed) or the failure's message
	TPong         Type = 0x88 // the Ping's sequence number, from the request loop
)

// Sizes.
const (
	HeaderLen  = 5
	SeqLen     = 8                                 // a Ping's or Pong's payload
	MaxJPEG    = 2 << 20                           // a best shot (token frontal, 480x640 q95 is ~100 KiB)
	MaxFrame   = 256 << 10                         // a preview frame (320 px, q60)
	MaxJSON    = 16 << 10                          // any JSON payload
	MaxText    = 512                               // an error or self-test message
	MaxMessage = HeaderLen + 4 + MaxJSON + MaxJPEG // the largest datagram
)

// ErrMalformed wraps every decoding error.
var ErrMalformed = errors.New("capture protocol: malformed message")

func malformed(format string, a ...any) error {
	return fmt.Errorf("%w: %s", ErrMalformed, fmt.Sprintf(format, a...))
}

func (t Type) String() string {
	if n, ok := names[t]; ok {
		return n
	}
	return fmt.Sprintf("type(0x%02x)", byte(t))
}

var names = map[Type]string{
	TConfigure: "configure", TCapture: "capture", TCancel: "cancel", TPreview: "preview", TSelfTest: "selftest",
	TReady: "ready", TPrompt: "prompt", TFrame: "frame", TResult: "result", TError: "error", TCamera: "camera",
	TSelfTestDone: "selftest_done", TPing: "ping", TPong: "pong",
}

// limit is the largest payload a type may carry.
func limit(t Type) (int, bool) {
	switch t {
	case TCapture, TCancel, TSelfTest, TReady:
		return 0, true
	case TPreview:
		return 1, true
	case TPing, TPong:
		return SeqLen, true
	case TConfigure, TPrompt, TCamera:
		return MaxJSON, true
	case TFrame:
		return MaxFrame, true
	case TResult:
		return 4 + MaxJSON + MaxJPEG, true
	case TError:
		return 1 + MaxText, true
	case TSelfTestDone:
		return MaxText, true
	}
	return 0, false
}

// Append appends one message to dst: the header and the payload parts.
func Append(dst []byte, t Type, payload ...[]byte) []byte {
	n := 0
	for _, p := range payload {
		n += len(p)
	}
	dst = append(dst, byte(t))
	dst = binary.BigEndian.AppendUint32(dst, uint32(n))
	for _, p := range payload {
		dst = append(dst, p...)
	}
	return dst
}

// Decode splits one datagram into its type and payload. The payload
// aliases b.
func Decode(b []byte) (Type, []byte, error) {
	if len(b) < HeaderLen {
		return 0, nil, malformed("%d bytes, shorter than the header", len(b))
	}
	t := Type(b[0])
	max, ok := limit(t)
	if !ok {
		return 0, nil, malformed("unknown type 0x%02x", b[0])
	}
	n := binary.BigEndian.Uint32(b[1:HeaderLen])
	if uint64(n) != uint64(len(b)-HeaderLen) {
		return 0, nil, malformed("%s: length %d, %d bytes follow", t, n, len(b)-HeaderLen)
	}
	if int(n) > max {
		return 0, nil, malformed("%s: %d bytes, at most %d", t, n, max)
	}
	p := b[HeaderLen:]
	if t == TPreview && len(p) != 1 || t == TError && len(p) < 1 || (t == TPing || t == TPong) && len(p) != SeqLen {
		return 0, nil, malformed("%s: %d bytes", t, len(p))
	}
	if t == TPreview && p[0] > 1 {
		return 0, nil, malformed("preview: flag %d", p[0])
	}
	return t, p, nil
}

// EncodeSeq is a Ping's or Pong's payload.
func EncodeSeq(n uint64) []byte { return binary.BigEndian.AppendUint64(nil, n) }

// DecodeSeq reads the payload of a Ping or Pong that Decode accepted.
func DecodeSeq(p []byte) (uint64, error) {
	if len(p) != SeqLen {
		return 0, malformed("sequence: %d bytes", len(p))
	}
	return binary.BigEndian.Uint64(p), nil
}
