package client

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ventanilla-mx/ventanilla/capture/proto"
	"github.com/ventanilla-mx/ventanilla/internal/fixtures"
	"github.com/ventanilla-mx/ventanilla/internal/testenv"
	"github.com/ventanilla-mx/ventanilla/secmem"
	"github.com/ventanilla-mx/ventanilla/session"
)

// captureBin is cmd/ventanilla-capture, built once by TestMain.
var captureBin, buildErr = "", error(nil)

func TestMain(m *testing.M) {
	if len(os.Args) > 2 && os.Args[1] == fakeArg {
		os.Exit(fakeCapture(os.Args[2]))
	}
	dir, err := os.MkdirTemp("", "capture-bin")
	if err != nil {
		panic(err)
	}
	captureBin = filepath.Join(dir, "ventanilla-capture")
	out, err := exec.Command("go", "build", "-o", captureBin, "github.com/ventanilla-mx/ventanilla/cmd/ventanilla-capture").CombinedOutput()
	if err != nil {
		buildErr = fmt.Errorf("go build: %v\n%s", err, out)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// recHooks records what the client reports.
type recHooks struct {
	mu      sync.Mutex
	ups     []bool
	camera  []proto.Camera
	models  []string
	decided []string
}

func (h *recHooks) Up(ok bool, _ error) { h.mu.Lock(); h.ups = append(h.ups, ok); h.mu.Unlock() }
func (h *recHooks) Camera(c proto.Camera) {
	h.mu.Lock()
	h.camera = append(h.camera, c)
	h.mu.Unlock()
}
func (h *recHooks) Models(m string) { h.mu.Lock(); h.models = append(h.models, m); h.mu.Unlock() }
func (h *recHooks) Decided(d, r string) {
	h.mu.Lock()
	h.decided = append(h.decided, d+"/"+r)
	h.mu.Unlock()
}

func testConfig(replay string) proto.Config {
	return proto.Config{
		Camera:   proto.CameraConfig{Replay: replay},
		Face:     proto.FaceConfig{CascadeDir: "/usr/share/opencv4/haarcascades", DetectEvery: 5, MinEyeDistance: 90, CropWidth: 480},
		Liveness: proto.LivenessConfig{Challenges: []string{"blink", "turn_left", "turn_right", "smile", "move_closer"}, Steps: 2, StepTimeoutMS: 7000},
	}
}

// runReady runs c until the test ends (a Run error fails it) and waits
// until its process is ready.
func runReady(t *testing.T, c *Client) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	})
	wctx, wcancel := context.WithTimeout(ctx, time.Minute)
	defer wcancel()
	if err := c.WaitReady(wctx); err != nil {
		t.Fatalf("capture process not ready: %v", err)
	}
}

// startClient runs the real capture binary on a replayed photo.
func startClient(t *testing.T) (*Client, *secmem.Allocator, *recHooks) {
	t.Helper()
	testenv.Require(t, "the capture binary", buildErr)
	_, err := os.Stat(filepath.Join(testConfig("").Face.CascadeDir, "haarcascade_frontalface_alt2.xml"))
	testenv.RequireFile(t, "opencv-data cascades", err)
	photo := fixtures.GocvImage(t, "face.jpg")
	alloc := secmem.NewAllocator(nil)
	h := &recHooks{}
	c := New(Options{Binary: captureBin, Config: testConfig(photo), Alloc: secmem.Secrets(alloc), Hooks: h, Stderr: os.Stderr})
	t.Cleanup(func() { // after runReady's cleanup has stopped the client
		if st := alloc.Stats(); st.Live != 0 {
			t.Errorf("%d locked buffers live after the client stopped", st.Live)
		}
		if st := c.recv.Stats(); st.Live != 0 {
			t.Errorf("%d receive buffers live after the client stopped", st.Live)
		}
	})
	runReady(t, c)
	return c, alloc, h
}

// TestCaptureProcessEndToEnd spawns the real capture binary on a replayed
// photo: the capture decides (a still photo is a frozen stream: spoof, no
// image), prompts arrive, the camera reports its state, the preview
// streams, and the self-test passes.
func TestCaptureProcessEndToEnd(t *testing.T) {
	c, _, h := startClient(t)
	var prompts []string
	res, err := c.CaptureFace(context.Background(), func(q session.Prompt) { prompts = append(prompts, q.Code) })
	if err != nil {
		t.Fatalf("CaptureFace: %v", err)
	}
	if res.Liveness.Decision != session.Spoof || res.JPEG != nil || res.Liveness.Cues["frozen_stream"] > 0.5 {
		t.Fatalf("result %+v; want spoof on the frozen stream, no image", res.Liveness)
	}
	if len(prompts) == 0 {
		t.Error("no prompt crossed the boundary")
	}
	if err := c.SelfTest(context.Background()); err != nil {
		t.Errorf("self-test: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	err = c.Preview(ctx, func(b []byte) error {
		if len(b) < 4 || b[0] != 0xFF || b[1] != 0xD8 {
			t.Errorf("preview frame is not a JPEG")
		}
		if n++; n == 3 {
			cancel()
		}
		return nil
	})
	if err != nil || n < 3 {
		t.Fatalf("Preview = %v after %d frames", err, n)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.decided) != 1 || h.decided[0] != "spoof/frozen_stream" {
		t.Errorf("decisions reported %v; want [spoof/frozen_stream]", h.decided)
	}
	if len(h.camera) == 0 || len(h.models) != 0 {
		t.Errorf("camera reports %d, model errors %v", len(h.camera), h.models)
	}
}

// TestCaptureProcessKilled kills the capture process in the middle of a
// capture: that capture fails with session.ErrDevice, the process is
// restarted, and the next capture decides. The time from the kill until
// the kiosk can capture again is logged (docs/benchmarks.md).
func TestCaptureProcessKilled(t *testing.T) {
	c, _, _ := startClient(t)
	pid := c.PID()
	var once sync.Once
	var killed time.Time
	_, err := c.CaptureFace(context.Background(), func(session.Prompt) {
		once.Do(func() {
			killed = time.Now()
			syscall.Kill(pid, syscall.SIGKILL)
		})
	})
	if !errors.Is(err, session.ErrDevice) {
		t.Fatalf("capture during the kill: %v; want session.ErrDevice", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := c.WaitReady(ctx); err != nil {
		t.Fatal(err)
	}
	t.Logf("ready again %v after SIGKILL (budget 5 s)", time.Since(killed).Round(time.Millisecond))
	if c.PID() == pid || c.PID() == 0 {
		t.Errorf("pid %d after restart; was %d", c.PID(), pid)
	}
	res, err := c.CaptureFace(context.Background(), func(session.Prompt) {})
	if err != nil || res.Liveness.Decision != session.Spoof {
		t.Fatalf("capture after the restart: %+v, %v", res, err)
	}
}

// TestCaptureProcessCancel: a capture cancelled by its context is
// cancelled in the capture process too; the process stays up and the next
// capture decides.
func TestCaptureProcessCancel(t *testing.T) {
	c, _, _ := startClient(t)
	pid := c.PID()
	ctx, cancel := context.WithCancel(context.Background())
	_, err := c.CaptureFace(ctx, func(session.Prompt) { cancel() })
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled capture: %v; want context.Canceled", err)
	}
	res, err := c.CaptureFace(context.Background(), func(session.Prompt) {})
	if err != nil || res.Liveness.Decision != session.Spoof || c.PID() != pid {
		t.Fatalf("capture after the cancel: %+v, %v (pid %d, was %d)", res, err, c.PID(), pid)
	}
}
