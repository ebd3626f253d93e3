package facecap

import (
	"context"
	"errors"
	"fmt"

	"github.com/ventanilla-mx/ventanilla/capture/camhub"
	"github.com/ventanilla-mx/ventanilla/drivers/camera"
	"github.com/ventanilla-mx/ventanilla/liveness"
	"github.com/ventanilla-mx/ventanilla/session"
)

// RunOpts configure Run: the daemon's options, plus the challenges to ask
// (in this order, at every check; ignored when Options.Passive) and where
// the prompts go (nil: nowhere).
type RunOpts struct {
	Options
	Challenges []liveness.Challenge
	Prompt     func(session.Prompt)
}

// Result is what Run observed: the session's result (the best shot only
// for a live face), the last check's full decision and its passive part,
// and how many frames were analysed.
type Result struct {
	Face     *session.FaceResult
	Decision liveness.Decision
	Passive  liveness.Decision
	Frames   int
}

// Run is the daemon's face capture on a camera of the caller's (a replay,
// for the liveness evaluation harness): the same settle frames, liveness
// loop, retry-on-no-shot, prompts, cue mapping and best shot as
// Capturer.CaptureFace, with every frame judged (the hub waits for the
// capture instead of dropping frames) and the challenges given instead of
// drawn at random. When the camera's stream ends (io.EOF of a replay that
// does not loop) during a check, the check decides on what it has seen.
//
// cam must not be started; Run starts it and closes it. The caller owns
// Result.Face.JPEG when it is not nil.
func Run(ctx context.Context, cam camera.Camera, o RunOpts) (*Result, error) {
	opened := false
	hub := camhub.New(func(camera.Opts) (camera.Camera, error) {
		if opened {
			return nil, errors.New("facecap: the replay was already used")
		}
		opened = true
		return cam, nil
	}, nil)
	hub.Lossless = true
	defer hub.Close()
	defer cam.Close() // when the hub could not start it
	if o.Prompt == nil {
		o.Prompt = func(session.Prompt) {}
	}
	c := New(hub, o.Options)
	seq := func() ([]liveness.Challenge, error) {
		if o.Passive {
			return nil, nil
		}
		return o.Challenges, nil
	}
	r, err := c.start(o.Prompt, seq)
	if err != nil {
		return nil, err
	}
	defer r.close()
	r.decideAtEnd = true
	res, err := r.run(ctx)
	out := &Result{Face: res, Passive: r.passive, Frames: r.frames}
	if r.last != nil {
		out.Decision = *r.last
	}
	if err != nil {
		return out, fmt.Errorf("facecap: %w", err)
	}
	return out, nil
}
