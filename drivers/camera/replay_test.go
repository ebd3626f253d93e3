package camera_test

import (
	"errors"
	"flag"
	"fmt"
	"image"
	"image/color"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/ventanilla-mx/ventanilla/drivers/camera"
	"github.com/ventanilla-mx/ventanilla/drivers/camera/cameratest"
	"github.com/ventanilla-mx/ventanilla/internal/fixtures"
	"gocv.io/x/gocv"
)

var liveDevice = flag.String("camera.device", "", "run the conformance suite against this V4L2 device (path or index)")

// gradient draws frame i of a moving synthetic sequence.
func gradient(n int) camera.Generator {
	return func(i int, dst *gocv.Mat) error {
		if n > 0 && i >= n {
			return io.EOF
		}
		m := gocv.NewMatWithSize(120, 160, gocv.MatTypeCV8UC3)
		defer m.Close()
		m.SetTo(gocv.NewScalar(40, 80, 120, 0))
		gocv.Circle(&m, image.Pt(20+i%120, 60), 15, color.RGBA{255, 255, 255, 0}, -1)
		m.CopyTo(dst)
		return nil
	}
}

func TestConformanceGenerated(t *testing.T) {
	cameratest.Run(t, func(t *testing.T) camera.Camera {
		cam, err := camera.NewGenerated(gradient(0), 30, &camera.ReplayOpts{Rate: camera.RateAsFastAsConsumed})
		if err != nil {
			t.Fatal(err)
		}
		return cam
	}, nil)
}

func TestConformanceGeneratedEnds(t *testing.T) {
	cameratest.Run(t, func(t *testing.T) camera.Camera {
		cam, err := camera.NewGenerated(gradient(8), 30, &camera.ReplayOpts{Rate: camera.RateAsFastAsConsumed})
		if err != nil {
			t.Fatal(err)
		}
		return cam
	}, &cameratest.Opts{Frames: 3, Ends: true})
}

func TestConformanceOneImageLooped(t *testing.T) {
	face := fixtures.GocvImage(t, "face.jpg")
	cameratest.Run(t, func(t *testing.T) camera.Camera {
		cam, err := camera.NewReplay(face, &camera.ReplayOpts{Loop: true, Rate: camera.RateAsFastAsConsumed})
		if err != nil {
			t.Fatal(err)
		}
		return cam
	}, nil)
}

// writeFolder is a test helper: it writes n generated frames as PNG files.
func writeFolder(t *testing.T, n int) string {
	dir := t.TempDir()
	gen := gradient(n)
	for i := 0; i < n; i++ {
		m := gocv.NewMat()
		if err := gen(i, &m); err != nil {
			t.Fatal(err)
		}
		gocv.IMWrite(filepath.Join(dir, fmt.Sprintf("f%03d.png", i)), m)
		m.Close()
	}
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("ignored"), 0o600)
	return dir
}

func TestConformanceFolder(t *testing.T) {
	dir := writeFolder(t, 7)
	cameratest.Run(t, func(t *testing.T) camera.Camera {
		cam, err := camera.NewReplay(dir, &camera.ReplayOpts{Rate: camera.RateAsFastAsConsumed})
		if err != nil {
			t.Fatal(err)
		}
		return cam
	}, &cameratest.Opts{Frames: 7, Ends: true})
}

// writeVideo is a test helper: an MJPG AVI of n generated frames, or skip.
func writeVideo(t *testing.T, n int) string {
	p := filepath.Join(t.TempDir(), "clip.avi")
	w, err := gocv.VideoWriterFile(p, "MJPG", 25, 160, 120, true)
	if err != nil || !w.IsOpened() {
		t.Skipf("OpenCV cannot write MJPG AVI here: %v", err)
	}
	gen := gradient(n)
	for i := 0; i < n; i++ {
		m := gocv.NewMat()
		gen(i, &m)
		w.Write(m)
		m.Close()
	}
	w.Close()
	return p
}

func TestConformanceVideo(t *testing.T) {
	p := writeVideo(t, 12)
	cameratest.Run(t, func(t *testing.T) camera.Camera {
		cam, err := camera.NewReplay(p, &camera.ReplayOpts{Rate: camera.RateAsFastAsConsumed})
		if err != nil {
			t.Fatal(err)
		}
		return cam
	}, &cameratest.Opts{Frames: 12, Ends: true})
}

func TestVideoClipAndLoop(t *testing.T) {
	p := writeVideo(t, 12)
	cam, err := camera.NewReplay(p, &camera.ReplayOpts{Rate: camera.RateAsFastAsConsumed, First: 4, Last: 8, Loop: true})
	if err != nil {
		t.Fatal(err)
	}
	defer cam.Close()
	if f := cam.Format(); f.Width != 160 || f.Height != 120 || f.FPS != 25 {
		t.Errorf("Format() = %v; want 160x120@25", f)
	}
	if err := cam.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 10; i++ { // 4 frames per loop, so this wraps twice
		f, err := cam.Next(t.Context())
		if err != nil {
			t.Fatalf("frame %d: %v", i, err)
		}
		f.Release()
	}
}

func TestReplayErrors(t *testing.T) {
	if _, err := camera.NewReplay(filepath.Join(t.TempDir(), "missing.mp4"), nil); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v; want ErrNotExist", err)
	}
	if _, err := camera.NewReplay(t.TempDir(), nil); err == nil {
		t.Error("empty folder: want an error")
	}
	bad := filepath.Join(t.TempDir(), "x.mp4")
	os.WriteFile(bad, []byte("not a video"), 0o600)
	if _, err := camera.NewReplay(bad, nil); err == nil {
		t.Error("garbage video: want an error")
	}
}

func TestLiveDevice(t *testing.T) {
	if *liveDevice == "" {
		t.Skip("no -camera.device given; see docs/camera.md")
	}
	cameratest.Run(t, func(t *testing.T) camera.Camera {
		cam, err := camera.NewV4L2(*liveDevice, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("negotiated %v", cam.Format())
		return cam
	}, &cameratest.Opts{Frames: 30})
}

func TestFrameReleaseWipes(t *testing.T) {
	before := cameratest.MatCount()
	m := gocv.NewMatWithSize(4, 4, gocv.MatTypeCV8UC3)
	m.SetTo(gocv.NewScalar(9, 9, 9, 0))
	view := m.Region(image.Rect(0, 0, 4, 4)) // shares m's memory
	f := &camera.Frame{Mat: m}
	f.Release()
	if s := view.Sum(); s.Val1 != 0 || s.Val2 != 0 || s.Val3 != 0 {
		t.Errorf("pixels after Release sum to %v; want zeros", s)
	}
	view.Close()
	if after := cameratest.MatCount(); after != before {
		t.Errorf("Mat leak: %d -> %d", before, after)
	}
}
