package fingerprint_test

import (
	"context"
	"errors"
	"io"
	"testing"
	"testing/iotest"
	"time"

	fp "github.com/ventanilla-mx/ventanilla/drivers/fingerprint"
	"github.com/ventanilla-mx/ventanilla/drivers/sim"
)

// TestFaultsRecover arms each fault once: the driver must absorb it (retry,
// resync, re-upload) and still return the exact image.
func TestFaultsRecover(t *testing.T) {
	cases := []struct {
		name    string
		faults  []string // emulator commands armed after connecting
		retried bool     // the recovery needs at least one retry
	}{
		{"garbage before the acknowledge", []string{"GARBAGE 200"}, false},
		{"power-up 0x55 between commands", []string{"POWERON"}, false},
		{"bad checksum on GenImg's acknowledge", []string{"CHECKSUM 0"}, true},
		{"bad checksum on a data packet", []string{"CHECKSUM 5"}, true},
		{"short acknowledge", []string{"SHORT 0"}, true},
		{"dropped acknowledge", []string{"DROP 0"}, true},
		{"late acknowledge", []string{"DELAY 600ms"}, true},
		{"receive error reported by the module", []string{"ERROR 0x01"}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := unpaced(t, sim.DefaultConfig(), nil)
			if err := r.s.Connect(ctx(t)); err != nil {
				t.Fatal(err)
			}
			want := r.place(0)
			ctl := sim.NewController(r.pty, 1)
			for _, c := range tc.faults {
				if _, err := ctl.Exec(c); err != nil {
					t.Fatal(err)
				}
			}
			img, err := r.s.Capture(ctx(t), nil)
			if err != nil {
				t.Fatalf("capture after %v: %v", tc.faults, err)
			}
			sameImage(t, img, want)
			if st := r.s.Stats(); tc.retried && st.Retries == 0 {
				t.Fatalf("recovered without a retry? stats %+v", st)
			}
		})
	}
}

// TestUploadFaultsRecover hits the image transfer itself: a corrupted,
// lost or cut data packet makes the driver drain the line and upload again.
func TestUploadFaultsRecover(t *testing.T) {
	for _, f := range []string{"CHECKSUM", "DROP", "SHORT"} {
		t.Run(f, func(t *testing.T) {
			r := unpaced(t, sim.DefaultConfig(), nil)
			want := r.place(2)
			if err := r.s.Connect(ctx(t)); err != nil {
				t.Fatal(err)
			}
			// UpImage answers with its acknowledge and 288 data packets; hit
			// packet 100 of the first two transfers.
			ctl := sim.NewController(r.pty, 1)
			r.pty.Arm(sim.Fault{Kind: kind(t, ctl, f), Frame: 100, Times: 2})
			img, err := r.s.Capture(ctx(t), nil)
			if err != nil {
				t.Fatal(err)
			}
			sameImage(t, img, want)
			if st := r.s.Stats(); st.Retries == 0 {
				t.Fatalf("no re-upload: %+v", st)
			}
		})
	}
}

func kind(t *testing.T, _ *sim.Controller, name string) sim.FaultKind {
	for _, k := range []sim.FaultKind{sim.FaultChecksum, sim.FaultDrop, sim.FaultShort} {
		if k.String() == map[string]string{"CHECKSUM": "checksum", "DROP": "drop", "SHORT": "short"}[name] {
			return k
		}
	}
	t.Fatalf("no fault %s", name)
	return 0
}

// TestFaultsTyped arms faults the driver cannot absorb: each must end in
// the documented sentinel, quickly, never a hang or a panic.
func TestFaultsTyped(t *testing.T) {
	cases := []struct {
		name   string
		faults []string
		want   error
		state  fp.State // expected state after the error (Ready = unchanged)
	}{
		{"persistent bad checksum", []string{"CHECKSUM 0 10"}, fp.ErrChecksum, fp.StateUnresponsive},
		{"module silent", []string{"DROP 0 10"}, fp.ErrTimeout, fp.StateUnresponsive},
		{"capture failed", []string{"ERROR 0x03"}, fp.ErrPoorImage, fp.StateReady},
		{"sensor hardware error", []string{"ERROR 0x29"}, fp.ErrHardware, fp.StateReady},
		{"upload refused", []string{"LIFT", "FINGER seed:1:0", "ERROR 0x00", "ERROR 0x0F"}, fp.ErrImage, fp.StateReady},
		{"image packets lost every time", []string{"DROP 50 3"}, fp.ErrImage, fp.StateReady},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := unpaced(t, sim.DefaultConfig(), nil)
			r.place(0)
			if err := r.s.Connect(ctx(t)); err != nil {
				t.Fatal(err)
			}
			ctl := sim.NewController(r.pty, 1)
			for _, c := range tc.faults {
				if _, err := ctl.Exec(c); err != nil {
					t.Fatal(err)
				}
			}
			_, err := r.s.Capture(ctx(t), nil)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if st, _ := r.s.State(); st != tc.state {
				t.Fatalf("state %v, want %v", st, tc.state)
			}
		})
	}
}

func TestNoFinger(t *testing.T) {
	r := unpaced(t, sim.DefaultConfig(), func(o *fp.Opts) { o.CaptureTimeout = 100 * time.Millisecond })
	_, err := r.s.Capture(ctx(t), nil)
	if !errors.Is(err, fp.ErrNoFinger) || !fp.Retryable(err) {
		t.Fatalf("err = %v, want retryable ErrNoFinger", err)
	}
}

func TestCaptureCancel(t *testing.T) {
	r := unpaced(t, sim.DefaultConfig(), nil)
	c, cancel := context.WithCancel(ctx(t))
	r.opts.OnState = nil
	done := make(chan error, 1)
	go func() { _, err := r.s.Capture(c, nil); done <- err }()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

func TestHaltCancelsCapture(t *testing.T) {
	r := unpaced(t, sim.DefaultConfig(), nil)
	if err := r.s.Connect(ctx(t)); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { _, err := r.s.Capture(ctx(t), nil); done <- err }()
	// Wait until the capture is polling: the emulator counts its commands.
	if err := r.pty.Await(ctx(t), func(st sim.LineStats) bool { return st.CommandsIn >= 6 }); err != nil {
		t.Fatal(err)
	}
	if err := r.s.Halt(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if err := r.s.Handshake(ctx(t)); err != nil {
		t.Fatalf("scanner unusable after Halt: %v", err)
	}
}

func TestWrongPassword(t *testing.T) {
	cfg := sim.DefaultConfig()
	cfg.Password = 0x1234
	r := unpaced(t, cfg, nil)
	err := r.s.Handshake(ctx(t))
	if !errors.Is(err, fp.ErrBadPassword) || fp.Retryable(err) {
		t.Fatalf("err = %v, want non-retryable ErrBadPassword", err)
	}
	r2 := unpaced(t, cfg, func(o *fp.Opts) { o.Password = 0x1234 })
	if err := r2.s.Handshake(ctx(t)); err != nil {
		t.Fatal(err)
	}
}

// TestBaudProbe: the module runs at a rate other than configured. The
// emulator stays silent at the wrong rate (it hears noise), so the driver
// must find the module by probing.
func TestBaudProbe(t *testing.T) {
	for _, baud := range []int{115200, 9600, 19200} {
		cfg := sim.DefaultConfig()
		cfg.Baud = baud
		r := unpaced(t, cfg, nil)
		info, err := r.s.Info(ctx(t))
		if err != nil || info.Baud != baud {
			t.Fatalf("module at %d: info %+v, err %v", baud, info, err)
		}
		if r.pty.Stats().MismatchedBytes == 0 {
			t.Fatal("the configured rate was never tried")
		}
		if got, ok := r.s.Connected(); !ok || got.Baud != baud || got.Model != info.Model {
			t.Fatalf("Connected() = %+v, %v; want the probed module at %d", got, ok, baud)
		}
	}
}

func TestNoBaudAnswers(t *testing.T) {
	r := unpaced(t, sim.DefaultConfig(), func(o *fp.Opts) { o.ProbeBauds = []int{57600} })
	if _, err := sim.NewController(r.pty, 1).Exec("BAUD 38400"); err != nil {
		t.Fatal(err)
	}
	err := r.s.Handshake(ctx(t))
	if !errors.Is(err, fp.ErrUnresponsive) {
		t.Fatalf("err = %v, want ErrUnresponsive", err)
	}
	r.waitState(fp.StateUnresponsive)
}

func TestSetBaudAndPacketSize(t *testing.T) {
	r := unpaced(t, sim.DefaultConfig(), func(o *fp.Opts) { o.PacketSize = 64 })
	want := r.place(1)
	if err := r.s.SetBaud(ctx(t), 115200); err != nil {
		t.Fatal(err)
	}
	info, err := r.s.Info(ctx(t))
	if err != nil || info.Baud != 115200 || info.PacketSize != 64 {
		t.Fatalf("info %+v, err %v", info, err)
	}
	if got := r.dev.Config(); got.Baud != 115200 || got.PacketSize != 64 {
		t.Fatalf("module config %+v", got)
	}
	img, err := r.s.Capture(ctx(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	sameImage(t, img, want)
}

// TestFlakyStreams reads the line through iotest's fragmenting readers:
// frames arrive one byte, or half a buffer, at a time.
func TestFlakyStreams(t *testing.T) {
	for name, wrap := range map[string]func(io.Reader) io.Reader{
		"one byte": iotest.OneByteReader,
		"half":     iotest.HalfReader,
	} {
		t.Run(name, func(t *testing.T) {
			r := unpaced(t, sim.DefaultConfig(), func(o *fp.Opts) { o.Open = flaky(wrap) })
			want := r.place(3)
			img, err := r.s.Capture(ctx(t), nil)
			if err != nil {
				t.Fatal(err)
			}
			sameImage(t, img, want)
		})
	}
}

// TestR503 uses the extras: product info gives 192x192, GetImageEx and
// the LED are used, the power-up 0x55 is skipped.
func TestR503(t *testing.T) {
	cfg := sim.DefaultConfig()
	cfg.Model = sim.R503
	r := unpaced(t, cfg, nil)
	info, err := r.s.Info(ctx(t))
	if err != nil || !info.Extras || info.Width != 192 || info.Height != 192 || info.Model != "R503" {
		t.Fatalf("info %+v, err %v", info, err)
	}
	want := r.place(0)
	img, err := r.s.Capture(ctx(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	sameImage(t, img, want)
	// The LED command takes the first forced code, GetImageEx the second:
	// GetImageEx's "image too poor" ends the capture with ErrPoorImage.
	ctl := sim.NewController(r.pty, 1)
	for _, c := range []string{"ERROR 0x00", "ERROR 0x07"} {
		if _, err := ctl.Exec(c); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := r.s.Capture(ctx(t), nil); !errors.Is(err, fp.ErrPoorImage) {
		t.Fatalf("err = %v, want ErrPoorImage", err)
	}
}

// TestAllocOwnership: the image lands in the caller's buffer; on failure
// the buffer is cleared.
func TestAllocOwnership(t *testing.T) {
	r := unpaced(t, sim.DefaultConfig(), nil)
	want := r.place(4)
	var mine []byte
	alloc := func(n int) ([]byte, error) { mine = make([]byte, n); return mine, nil }
	img, err := r.s.Capture(ctx(t), alloc)
	if err != nil {
		t.Fatal(err)
	}
	if &img.Pix[0] != &mine[0] {
		t.Fatal("image not in the caller's buffer")
	}
	sameImage(t, img, want)
	r.pty.Arm(sim.Fault{Kind: sim.FaultDrop, Frame: 200, Times: 5})
	if _, err := r.s.Capture(ctx(t), alloc); err == nil {
		t.Fatal("capture succeeded with every upload cut")
	}
	for i, b := range mine {
		if b != 0 {
			t.Fatalf("byte %d of a failed capture left in the buffer", i)
		}
	}
}
