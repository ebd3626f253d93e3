// Package scannertest is the conformance suite for fingerprint.Scanner
// implementations, in the manner of testing/fstest: Run exercises the
// documented contract (handshake, info, capture into the caller's buffer,
// no-finger timeout, cancellation, Halt, Close) against the emulator in CI
// and against a real module on request. It never keeps or writes images.
package scannertest

import (
	"context"
	"errors"
	"testing"
	"time"

	fp "github.com/ventanilla-mx/ventanilla/drivers/fingerprint"
)

// Harness describes the scanner under test.
type Harness struct {
	// Open returns a fresh scanner; Run closes it.
	Open func(t *testing.T) fp.Scanner
	// Place puts a finger on the sensor (emulator command) or asks a person
	// to (live). Nil skips the capture checks.
	Place func(t *testing.T)
	// Lift removes it. Nil skips the no-finger check.
	Lift func(t *testing.T)
	// Timeout bounds each step; it must exceed the scanner's capture timeout.
	Timeout time.Duration
}

// Run runs the suite.
func Run(t *testing.T, h Harness) {
	if h.Timeout == 0 {
		h.Timeout = 30 * time.Second
	}
	for _, c := range []struct {
		name string
		f    func(*testing.T, fp.Scanner, Harness)
	}{
		{"Handshake", testHandshake},
		{"Info", testInfo},
		{"Capture", testCapture},
		{"NoFinger", testNoFinger},
		{"Cancelled", testCancelled},
		{"Halt", testHalt},
		{"Close", testClose},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := h.Open(t)
			defer s.Close()
			c.f(t, s, h)
		})
	}
}

func stepCtx(t *testing.T, h Harness) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), h.Timeout)
	t.Cleanup(cancel)
	return ctx
}

func testHandshake(t *testing.T, s fp.Scanner, h Harness) {
	for i := range 2 {
		if err := s.Handshake(stepCtx(t, h)); err != nil {
			t.Fatalf("handshake %d: %v", i, err)
		}
	}
}

func testInfo(t *testing.T, s fp.Scanner, h Harness) {
	info, err := s.Info(stepCtx(t, h))
	if err != nil {
		t.Fatal(err)
	}
	if info.Width <= 0 || info.Height <= 0 || info.Width%2 != 0 {
		t.Errorf("geometry %dx%d: want positive, even width (two pixels per byte)", info.Width, info.Height)
	}
	if _, err := fp.BaudCode(info.Baud); err != nil {
		t.Errorf("baud: %v", err)
	}
	if _, err := fp.PacketSizeCode(info.PacketSize); err != nil {
		t.Errorf("packet size: %v", err)
	}
	if info.DPI < 300 || info.Model == "" {
		t.Errorf("info %+v: want a model name and a plausible resolution", info)
	}
}

func testCapture(t *testing.T, s fp.Scanner, h Harness) {
	if h.Place == nil {
		t.Skip("no way to place a finger")
	}
	info, err := s.Info(stepCtx(t, h))
	if err != nil {
		t.Fatal(err)
	}
	h.Place(t)
	var given []byte
	alloc := func(n int) ([]byte, error) { given = make([]byte, n); return given, nil }
	img, err := s.Capture(stepCtx(t, h), alloc)
	if err != nil {
		t.Fatal(err)
	}
	defer clear(img.Pix)
	if img.Width != info.Width || img.Height != info.Height || len(img.Pix) != img.Width*img.Height {
		t.Fatalf("image %dx%d with %d bytes; info says %dx%d", img.Width, img.Height, len(img.Pix), info.Width, info.Height)
	}
	if len(given) == 0 || &given[0] != &img.Pix[0] {
		t.Fatal("image not in the buffer from alloc")
	}
	lo, hi := img.Pix[0], img.Pix[0]
	for _, v := range img.Pix {
		lo, hi = min(lo, v), max(hi, v)
	}
	if hi-lo < 64 {
		t.Fatalf("image contrast %d..%d: no ridges captured", lo, hi)
	}
}

func testNoFinger(t *testing.T, s fp.Scanner, h Harness) {
	if h.Lift == nil {
		t.Skip("no way to lift the finger")
	}
	h.Lift(t)
	_, err := s.Capture(stepCtx(t, h), nil)
	if !errors.Is(err, fp.ErrNoFinger) {
		t.Fatalf("capture with no finger: %v, want ErrNoFinger", err)
	}
}

func testCancelled(t *testing.T, s fp.Scanner, h Harness) {
	if err := s.Handshake(stepCtx(t, h)); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Capture(ctx, nil); !errors.Is(err, context.Canceled) {
		t.Fatalf("capture with a cancelled context: %v", err)
	}
}

func testHalt(t *testing.T, s fp.Scanner, h Harness) {
	if err := s.Halt(); err != nil {
		t.Fatal(err)
	}
	if err := s.Handshake(stepCtx(t, h)); err != nil {
		t.Fatalf("handshake after Halt: %v", err)
	}
}

func testClose(t *testing.T, s fp.Scanner, h Harness) {
	if err := s.Handshake(stepCtx(t, h)); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if err := s.Handshake(stepCtx(t, h)); !errors.Is(err, fp.ErrClosed) {
		t.Fatalf("handshake after Close: %v, want ErrClosed", err)
	}
	if _, err := s.Capture(stepCtx(t, h), nil); !errors.Is(err, fp.ErrClosed) {
		t.Fatalf("capture after Close: %v, want ErrClosed", err)
	}
}
