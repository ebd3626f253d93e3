// Package cameratest is the conformance suite for camera.Camera. It runs in
// CI against Replay and, when asked, against a real device (see
// docs/camera.md: go test -tags matprofile ./drivers/camera -camera.device=/dev/video0).
//
// It never writes frames anywhere.
package cameratest

import (
	"context"
	"errors"
	"io"
	"testing"

	"github.com/ventanilla-mx/ventanilla/drivers/camera"
	"gocv.io/x/gocv"
)

// Opts tune the suite to the implementation under test.
type Opts struct {
	// Frames is how many frames the streaming checks read (default 5).
	Frames int
	// Ends says the stream ends with io.EOF after Frames frames or more
	// (a replay that does not loop); such a camera is checked for a clean end.
	Ends bool
}

// Open returns a fresh camera, constructed but not started. The suite closes it.
type Open func(t *testing.T) camera.Camera

// Run runs every check as a subtest.
func Run(t *testing.T, open Open, o *Opts) {
	if o == nil {
		o = &Opts{}
	}
	if o.Frames <= 0 {
		o.Frames = 5
	}
	checks := []struct {
		name string
		fn   func(*testing.T, camera.Camera, *Opts)
	}{
		{"Format", checkFormat},
		{"NextBeforeStart", checkNextBeforeStart},
		{"Stream", checkStream},
		{"StopRestart", checkStopRestart},
		{"CancelStart", checkCancelStart},
		{"Close", checkClose},
	}
	if o.Ends {
		checks = append(checks, struct {
			name string
			fn   func(*testing.T, camera.Camera, *Opts)
		}{"End", checkEnd})
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			before := MatCount()
			cam := open(t)
			c.fn(t, cam, o)
			if err := cam.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
			if after := MatCount(); after != before {
				t.Errorf("Mat leak: %d live Mats before, %d after", before, after)
			}
		})
	}
}

func checkFormat(t *testing.T, cam camera.Camera, _ *Opts) {
	f := cam.Format()
	if f.Width <= 0 || f.Height <= 0 || f.FPS <= 0 {
		t.Errorf("Format() = %v; want positive size and fps", f)
	}
	if s := cam.State(); s != camera.StateIdle {
		t.Errorf("State() before Start = %v; want idle", s)
	}
}

func checkNextBeforeStart(t *testing.T, cam camera.Camera, _ *Opts) {
	if f, err := cam.Next(context.Background()); !errors.Is(err, camera.ErrNotStarted) {
		f.Release()
		t.Errorf("Next before Start: err = %v; want ErrNotStarted", err)
	}
}

func checkStream(t *testing.T, cam camera.Camera, o *Opts) {
	start(t, cam)
	if s := cam.State(); s != camera.StateStreaming {
		t.Errorf("State() after Start = %v; want streaming", s)
	}
	fm := cam.Format()
	var last *camera.Frame
	for i := 0; i < o.Frames; i++ {
		f := next(t, cam)
		if f.Mat.Cols() != fm.Width || f.Mat.Rows() != fm.Height || f.Mat.Type() != gocv.MatTypeCV8UC3 {
			t.Errorf("frame %d: %dx%d type %v; want %dx%d CV_8UC3", i, f.Mat.Cols(), f.Mat.Rows(), f.Mat.Type(), fm.Width, fm.Height)
		}
		if last != nil && (f.Seq <= last.Seq || f.Time.Before(last.Time)) {
			t.Errorf("frame %d: seq %d time %v after seq %d time %v; want increasing", i, f.Seq, f.Time, last.Seq, last.Time)
		}
		last.Release()
		last = f
	}
	last.Release()
	last.Release() // Release is idempotent
	if st := cam.Stats(); st.Frames < uint64(o.Frames) {
		t.Errorf("Stats().Frames = %d after reading %d", st.Frames, o.Frames)
	}
	if err := cam.Start(context.Background()); err != nil {
		t.Errorf("Start while streaming: %v; want nil (no-op)", err)
	}
}

func checkStopRestart(t *testing.T, cam camera.Camera, _ *Opts) {
	start(t, cam)
	next(t, cam).Release()
	if err := cam.Stop(); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if f, err := cam.Next(context.Background()); !errors.Is(err, camera.ErrNotStarted) {
		f.Release()
		t.Errorf("Next after Stop: err = %v; want ErrNotStarted", err)
	}
	if err := cam.Stop(); err != nil {
		t.Errorf("second Stop: %v", err)
	}
	start(t, cam)
	next(t, cam).Release()
}

// checkCancelStart: cancelling Start's context ends the stream; Next then
// returns an error after at most the buffered frames.
func checkCancelStart(t *testing.T, cam camera.Camera, _ *Opts) {
	ctx, cancel := context.WithCancel(context.Background())
	if err := cam.Start(ctx); err != nil {
		t.Fatalf("Start: %v", err)
	}
	next(t, cam).Release()
	cancel()
	for i := 0; ; i++ {
		f, err := cam.Next(context.Background())
		if err != nil {
			break
		}
		f.Release()
		if i > 64 {
			t.Fatal("frames keep coming after Start's context was cancelled")
		}
	}
}

func checkClose(t *testing.T, cam camera.Camera, _ *Opts) {
	start(t, cam)
	next(t, cam).Release()
	for i := 0; i < 2; i++ {
		if err := cam.Close(); err != nil {
			t.Errorf("Close #%d: %v", i+1, err)
		}
	}
	if s := cam.State(); s != camera.StateClosed {
		t.Errorf("State() after Close = %v; want closed", s)
	}
	if f, err := cam.Next(context.Background()); !errors.Is(err, camera.ErrClosed) {
		f.Release()
		t.Errorf("Next after Close: %v; want ErrClosed", err)
	}
	if err := cam.Start(context.Background()); !errors.Is(err, camera.ErrClosed) {
		t.Errorf("Start after Close: %v; want ErrClosed", err)
	}
}

func checkEnd(t *testing.T, cam camera.Camera, o *Opts) {
	start(t, cam)
	n := 0
	for {
		f, err := cam.Next(context.Background())
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("Next: %v; want frames then io.EOF", err)
		}
		f.Release()
		n++
	}
	if n < o.Frames {
		t.Errorf("stream ended after %d frames; want >= %d", n, o.Frames)
	}
	if s := cam.State(); s != camera.StateEnded {
		t.Errorf("State() at end = %v; want ended", s)
	}
	if _, err := cam.Next(context.Background()); !errors.Is(err, io.EOF) {
		t.Errorf("Next after end: %v; want io.EOF again", err)
	}
}

func start(t *testing.T, cam camera.Camera) {
	t.Helper()
	if err := cam.Start(context.Background()); err != nil {
		t.Fatalf("Start: %v", err)
	}
}

func next(t *testing.T, cam camera.Camera) *camera.Frame {
	t.Helper()
	f, err := cam.Next(context.Background())
	if err != nil {
		t.Fatalf("Next: %v", err)
	}
	return f
}
