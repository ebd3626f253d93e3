package fingerprint

import (
	"bytes"
	"errors"
	"testing"
)

// genImgWire is GenImg to the factory address (a fuzz seed; the datasheet
// packets are checked in datasheet_test.go).
var genImgWire = []byte{0xEF, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0x01, 0x00, 0x03, 0x01, 0x00, 0x05}

var ack0 = AppendFrame(nil, Frame{Addr: DefaultAddress, PID: PIDAck, Payload: []byte{0x00}})

// parseCases are the decoder's table tests; the fuzz target starts from them.
var parseCases = []struct {
	name    string
	in      []byte
	wantErr error
	skipped int
	n       int
	payload []byte
}{
	{"ack", ack0, nil, 0, len(ack0), []byte{0}},
	{"garbage first", append([]byte{0x55, 0x00, 0xFF}, ack0...), nil, 3, len(ack0) + 3, []byte{0}},
	{"lone EF in garbage", append([]byte{0xEF, 0x02, 0xEF}, ack0...), nil, 3, len(ack0) + 3, []byte{0}},
	{"header with impossible pid", append([]byte{0xEF, 0x01, 1, 2, 3, 4, 0x09, 0, 3}, ack0...), nil, 9, len(ack0) + 9, []byte{0}},
	{"header with impossible length", append([]byte{0xEF, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0x07, 0x01, 0x05}, ack0...), nil, 9, len(ack0) + 9, []byte{0}},
	{"empty", nil, ErrIncomplete, 0, 0, nil},
	{"only garbage", []byte{1, 2, 3}, ErrIncomplete, 3, 3, nil},
	{"half header", ack0[:5], ErrIncomplete, 0, 0, nil},
	{"header only", ack0[:HeaderLen], ErrIncomplete, 0, 0, nil},
	{"garbage then half frame", append([]byte{9, 9}, ack0[:10]...), ErrIncomplete, 2, 2, nil},
	{"bad checksum", append(append([]byte(nil), ack0[:len(ack0)-1]...), ack0[len(ack0)-1]^1), ErrChecksum, 0, len(ack0), nil},
}

func TestParseFrame(t *testing.T) {
	for _, tc := range parseCases {
		t.Run(tc.name, func(t *testing.T) {
			f, skipped, n, err := ParseFrame(tc.in)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			if skipped != tc.skipped || n != tc.n {
				t.Fatalf("skipped, n = %d, %d; want %d, %d", skipped, n, tc.skipped, tc.n)
			}
			if tc.wantErr == nil && (!bytes.Equal(f.Payload, tc.payload) || f.PID != PIDAck || f.Addr != DefaultAddress) {
				t.Fatalf("frame = %+v", f)
			}
		})
	}
}

// TestParseFrameInPieces feeds a stream of frames and noise one byte at a
// time, the way a slow line delivers it, and expects every frame once.
func TestParseFrameInPieces(t *testing.T) {
	var stream []byte
	var want [][]byte
	for i := range 20 {
		payload := bytes.Repeat([]byte{byte(i), 0xEF, 0x01}, i+1)
		stream = append(stream, 0x55, byte(i), 0xEF)
		stream = AppendFrame(stream, Frame{Addr: 7, PID: PIDData, Payload: payload})
		want = append(want, payload)
	}
	var buf [][]byte
	var acc []byte
	for _, b := range stream {
		acc = append(acc, b)
		for {
			f, _, n, err := ParseFrame(acc)
			acc = acc[n:]
			if err != nil {
				break
			}
			buf = append(buf, append([]byte(nil), f.Payload...))
		}
	}
	if len(buf) != len(want) {
		t.Fatalf("decoded %d frames, want %d", len(buf), len(want))
	}
	for i := range want {
		if !bytes.Equal(buf[i], want[i]) {
			t.Fatalf("frame %d = % x, want % x", i, buf[i], want[i])
		}
	}
}

func TestExpandPackRoundTrip(t *testing.T) {
	pix := make([]byte, 512)
	for i := range pix {
		pix[i] = byte(i * 7)
	}
	packed := make([]byte, len(pix)/2)
	Pack4(packed, pix)
	out := make([]byte, len(pix))
	expand4(out, packed)
	for i := range pix {
		if d := int(out[i]) - int(pix[i]); d < -15 || d > 15 || out[i]>>4 != pix[i]>>4 {
			t.Fatalf("pixel %d: %d became %d", i, pix[i], out[i])
		}
	}
	if out[0] != 0 || packed[0]>>4 != 0 {
		t.Fatal("black must stay black")
	}
	expand4(out[:2], []byte{0xF0})
	if out[0] != 255 || out[1] != 0 {
		t.Fatalf("0xF0 expands to %d,%d; want 255,0 (high nibble is the left pixel)", out[0], out[1])
	}
}

func FuzzParseFrame(f *testing.F) {
	for _, tc := range parseCases {
		f.Add(tc.in)
	}
	f.Add(genImgWire)
	f.Fuzz(func(t *testing.T, b []byte) {
		fr, skipped, n, err := ParseFrame(b)
		if n < skipped || n > len(b) || skipped > len(b) {
			t.Fatalf("skipped %d, n %d of %d bytes", skipped, n, len(b))
		}
		if err != nil {
			return
		}
		// A decoded frame re-encodes to exactly the bytes it came from.
		wire := AppendFrame(nil, fr)
		if !bytes.Equal(wire, b[skipped:n]) {
			t.Fatalf("round trip: % x != % x", wire, b[skipped:n])
		}
		again, s2, n2, err := ParseFrame(wire)
		if err != nil || s2 != 0 || n2 != len(wire) || again.PID != fr.PID || !bytes.Equal(again.Payload, fr.Payload) {
			t.Fatalf("re-parse: %+v %d %d %v", again, s2, n2, err)
		}
	})
}
