package fingercap_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/ventanilla-mx/ventanilla/capture/fingercap"
	fp "github.com/ventanilla-mx/ventanilla/drivers/fingerprint"
	"github.com/ventanilla-mx/ventanilla/drivers/sim"
	"github.com/ventanilla-mx/ventanilla/session"
	"github.com/ventanilla-mx/ventanilla/session/sessiontest"
)

// TestNoFingerIsATimeout is issue 13, finding 6: with nobody at the
// sensor, the R30x emulator on a real pseudo-terminal lets the driver's
// capture timeout run out, and the capture used to report that as poor
// image quality ("no se logró una imagen con la calidad necesaria"). It
// is a timeout: the session shows "se agotó el tiempo".
func TestNoFingerIsATimeout(t *testing.T) {
	dev, err := sim.NewDevice(sim.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	p, err := sim.NewPTY(dev, sim.PTYOpts{Unpaced: true, Link: filepath.Join(t.TempDir(), "scanner")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	o := fp.DefaultOpts()
	o.Path, o.Baud = p.Path(), 57600
	o.CommandTimeout, o.CaptureTimeout, o.PollInterval = 250*time.Millisecond, 300*time.Millisecond, 10*time.Millisecond
	s, err := fp.New(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	alloc := &sessiontest.Allocator{}
	c, err := fingercap.New(s, fingercap.Options{MinScore: 40, MaxAttempts: 3, Format: "wsq", WSQBitrate: 0.75, Alloc: alloc})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	res, err := c.CaptureFinger(ctx, 2, func(session.Prompt) {})
	if res != nil || !errors.Is(err, session.ErrCaptureTimeout) || errors.Is(err, session.ErrQuality) {
		t.Fatalf("no finger: %v, want ErrCaptureTimeout (not ErrQuality)", err)
	}
	if err := alloc.CheckWiped(); err != nil {
		t.Fatal(err)
	}
}
