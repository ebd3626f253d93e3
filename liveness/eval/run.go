package eval

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"sync"
	"time"

	"github.com/ventanilla-mx/ventanilla/capture/face"
	"github.com/ventanilla-mx/ventanilla/drivers/camera"
	"github.com/ventanilla-mx/ventanilla/liveness"
)

// Opts configure an evaluation run.
type Opts struct {
	Face     *face.Opts
	Liveness *liveness.Opts
	// DefaultChallenges is asked of attacks that list none. When nil, each
	// such attack gets a sequence drawn like the kiosk draws one
	// (liveness.RandomSequence over the liveness options' set and length),
	// from a generator seeded by the item's name, so runs repeat.
	DefaultChallenges []liveness.Challenge
}

// Result is one item's outcome.
type Result struct {
	Item    Item
	Still   bool // one image: passive decision only
	Frames  int
	Passive liveness.Decision
	Full    *liveness.Decision // nil for stills and bona fide items without a challenge script
	Script  []liveness.Challenge
	Err     string
}

// mediaClock stamps frames with media time (1/fps per frame) so challenge
// timeouts mean the same on recordings as on a live camera.
type mediaClock struct {
	mu  sync.Mutex
	fps float64
	n   int
}

func (c *mediaClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n++
	return time.Unix(0, 0).Add(time.Duration(float64(c.n) / c.fps * float64(time.Second)))
}

func (c *mediaClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// Run evaluates every item in order.
func Run(ctx context.Context, m *Manifest, o *Opts) []Result {
	var out []Result
	for _, it := range m.Items {
		r := runItem(ctx, it, o)
		out = append(out, r)
		if ctx.Err() != nil {
			break
		}
	}
	return out
}

func runItem(ctx context.Context, it Item, o *Opts) Result {
	r := Result{Item: it}
	st, err := os.Stat(it.Path)
	if err != nil {
		r.Err = err.Error()
		return r
	}
	r.Still = !st.IsDir() && hasImageExt(it.Path) && it.Synth == nil
	passiveOnly := r.Still || it.Label == BonaFide && len(it.Challenges) == 0
	cam, err := openItem(ctx, it)
	if err != nil {
		r.Err = err.Error()
		return r
	}
	defer cam.Close()
	if err := check(ctx, cam, it, o, &r, passiveOnly); err != nil {
		r.Err = err.Error()
	}
	return r
}

func hasImageExt(p string) bool {
	for _, e := range []string{".jpg", ".jpeg", ".png", ".bmp", ".pgm", ".ppm", ".tif", ".tiff", ".webp"} {
		if len(p) >= len(e) && equalFold(p[len(p)-len(e):], e) {
			return true
		}
	}
	return false
}

func equalFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i]|0x20, b[i]|0x20
		if x != y {
			return false
		}
	}
	return true
}

// openItem opens the media (and wraps it in a synthesiser) with media time.
func openItem(ctx context.Context, it Item) (camera.Camera, error) {
	ro := &camera.ReplayOpts{Rate: camera.RateAsFastAsConsumed}
	if len(it.Frames) == 2 {
		ro.First, ro.Last = it.Frames[0], it.Frames[1]
	}
	src, err := camera.NewReplay(it.Path, ro)
	if err != nil {
		return nil, err
	}
	fps := src.Format().FPS
	if it.Synth == nil {
		src.Close()
		ro.Clock = &mediaClock{fps: fps}
		return camera.NewReplay(it.Path, ro)
	}
	if err := src.Start(ctx); err != nil {
		src.Close()
		return nil, err
	}
	s := newSynth(it.Synth, src)
	fps = s.outFPS(fps)
	cam, err := camera.NewGenerated(s.generator(ctx), fps, &camera.ReplayOpts{Rate: camera.RateAsFastAsConsumed, Opts: camera.Opts{Clock: &mediaClock{fps: fps}}})
	if err != nil {
		s.close()
		src.Close()
		return nil, err
	}
	return &synthCamera{Camera: cam, s: s, src: src}, nil
}

// synthCamera closes the synthesiser and its source with the camera.
type synthCamera struct {
	camera.Camera
	s   *synth
	src camera.Camera
}

func (c *synthCamera) Close() error {
	err := c.Camera.Close()
	c.s.close()
	c.src.Close()
	return err
}

// check feeds the item's frames through the face analyzer and the check.
func check(ctx context.Context, cam camera.Camera, it Item, o *Opts, r *Result, passiveOnly bool) error {
	an, err := face.New(o.Face)
	if err != nil {
		return err
	}
	defer an.Close()
	seq, err := challenges(it, o)
	if err != nil {
		return err
	}
	lo := o.Liveness
	if passiveOnly {
		// No script: the passive part judges the whole clip, so the check
		// must not end after its first PassiveFrames frames.
		seq, lo = nil, wholeClip(o.Liveness)
	}
	r.Script = seq
	chk, err := liveness.NewCheck(lo, seq)
	if err != nil {
		return err
	}
	defer chk.Close()
	if err := cam.Start(ctx); err != nil {
		return err
	}
	var st liveness.Status
	for {
		an.SetEyesEvery(chk.EyesEvery(st)) // as the capture loop does
		f, err := cam.Next(ctx)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("frame %d: %w", r.Frames, err)
		}
		obs := an.Process(f.Mat, f.Time)
		st = chk.Feed(f.Mat, &obs)
		f.Release()
		r.Frames++
		if st.Done || r.Still {
			break
		}
	}
	r.Passive = chk.PassiveDecision()
	if !passiveOnly {
		d := chk.Decision()
		r.Full = &d
	}
	return nil
}

// wholeClip returns liveness options whose passive check never ends by
// itself.
func wholeClip(o *liveness.Opts) *liveness.Opts {
	var c liveness.Opts
	if o != nil {
		c = *o
	}
	c.PassiveFrames = math.MaxInt32
	return &c
}

func challenges(it Item, o *Opts) ([]liveness.Challenge, error) {
	if len(it.Challenges) == 0 {
		if o.DefaultChallenges != nil {
			return o.DefaultChallenges, nil
		}
		return defaultScript(it.Name, o.Liveness)
	}
	var seq []liveness.Challenge
	for _, s := range it.Challenges {
		c, err := liveness.ParseChallenge(s)
		if err != nil {
			return nil, err
		}
		seq = append(seq, c)
	}
	return seq, nil
}

// defaultScript draws the sequence the kiosk would ask, from a generator
// seeded by the item's name (repeatable between runs).
func defaultScript(name string, o *liveness.Opts) ([]liveness.Challenge, error) {
	d := liveness.DefaultOpts()
	set, n := d.Challenges, d.Steps
	if o != nil && o.Challenges != nil {
		set = o.Challenges
	}
	if o != nil && o.Steps > 0 {
		n = o.Steps
	}
	h := sha256.Sum256([]byte("ventanilla-eval-script:" + name))
	return liveness.RandomSequence(set, n, rand.NewChaCha8(h))
}
