package fingerprint_test

import (
	"fmt"
	"io"
	"testing"
	"time"

	fp "github.com/ventanilla-mx/ventanilla/drivers/fingerprint"
	"github.com/ventanilla-mx/ventanilla/drivers/sim"
)

// captureWireBytes is what one capture puts on the line with 128-byte
// packets: GenImg and UpImage commands and acknowledges (12 bytes each) and
// 288 data packets of 128 + 11 bytes. At 10 bits per byte that is 6.96 s at
// 57600 baud (the 36,864 image bytes alone: 6.40 s).
const captureWireBytes = 4*12 + 288*(128+fp.Overhead)

// BenchmarkCapture measures a whole capture (GenImg + UpImage of a 256x288
// image) against the emulator pacing its output at the line rate, and,
// in the same run, a raw read of the same bytes without the driver: the
// ceiling the pty and the emulator allow. line% is the ideal wire time
// divided by the measured time.
func BenchmarkCapture(b *testing.B) {
	for _, baud := range []int{57600, 115200} {
		b.Run(fmt.Sprintf("driver/%d", baud), func(b *testing.B) { benchDriver(b, baud) })
		b.Run(fmt.Sprintf("raw/%d", baud), func(b *testing.B) { benchRaw(b, baud) })
	}
}

func pacedRig(b *testing.B, baud int) *rig {
	cfg := sim.DefaultConfig()
	cfg.Baud = baud
	r := newRig(b, cfg, sim.PTYOpts{}, func(o *fp.Opts) { o.Baud = baud; o.CommandTimeout = time.Second })
	r.dev.Place(r.dev.Synthetic(1, 0))
	return r
}

func benchDriver(b *testing.B, baud int) {
	r := pacedRig(b, baud)
	if err := r.s.Connect(b.Context()); err != nil {
		b.Fatal(err)
	}
	pix := make([]byte, fp.DefaultWidth*fp.DefaultHeight)
	alloc := func(int) ([]byte, error) { return pix, nil }
	start := time.Now()
	for b.Loop() {
		if _, err := r.s.Capture(b.Context(), alloc); err != nil {
			b.Fatal(err)
		}
	}
	report(b, baud, time.Since(start))
	if st := r.s.Stats(); st.Retries != 0 || st.ChecksumErrors != 0 {
		b.Fatalf("retries on a clean line: %+v", st)
	}
}

func benchRaw(b *testing.B, baud int) {
	r := pacedRig(b, baud)
	p, err := fp.OpenSerial(r.pty.Path(), baud)
	if err != nil {
		b.Fatal(err)
	}
	defer p.Close()
	cmds := fp.AppendFrame(nil, fp.Frame{Addr: fp.DefaultAddress, PID: fp.PIDCommand, Payload: []byte{fp.InsGenImg}})
	cmds = fp.AppendFrame(cmds, fp.Frame{Addr: fp.DefaultAddress, PID: fp.PIDCommand, Payload: []byte{fp.InsUpImage}})
	buf := make([]byte, captureWireBytes-2*12)
	start := time.Now()
	for b.Loop() {
		p.SetReadDeadline(time.Now().Add(30 * time.Second))
		if _, err := p.Write(cmds); err != nil {
			b.Fatal(err)
		}
		if _, err := io.ReadFull(p, buf); err != nil {
			b.Fatal(err)
		}
	}
	report(b, baud, time.Since(start))
}

func report(b *testing.B, baud int, elapsed time.Duration) {
	ideal := time.Duration(captureWireBytes) * 10 * time.Second / time.Duration(baud)
	perOp := elapsed / time.Duration(b.N)
	b.ReportMetric(perOp.Seconds(), "s/capture")
	b.ReportMetric(ideal.Seconds(), "ideal-s")
	b.ReportMetric(100*ideal.Seconds()/perOp.Seconds(), "line%")
}
