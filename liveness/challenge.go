package liveness

import (
	"crypto/rand"
	"fmt"
	"image"
	"io"
	"math/big"
	"slices"
	"time"

	"github.com/ventanilla-mx/ventanilla/capture/face"
	"gocv.io/x/gocv"
)

// Challenge is one action the citizen is asked to perform.
type Challenge string

// The challenge vocabulary. Directions are the citizen's own: "turn left"
// means towards the citizen's left, which an unmirrored camera sees as the
// face turning towards the image's right.
const (
	TurnLeft   Challenge = "turn_left"
	TurnRight  Challenge = "turn_right"
	Blink      Challenge = "blink"
	Smile      Challenge = "smile"
	MoveCloser Challenge = "move_closer"
)

// ParseChallenge accepts the vocabulary above.
func ParseChallenge(s string) (Challenge, error) {
	switch c := Challenge(s); c {
	case TurnLeft, TurnRight, Blink, Smile, MoveCloser:
		return c, nil
	}
	return "", fmt.Errorf("liveness: unknown challenge %q (want turn_left, turn_right, blink, smile or move_closer)", s)
}

// RandomSequence draws n distinct challenges from set, uniformly, using r
// (crypto/rand.Reader when nil) so an attacker cannot pre-record the answer.
func RandomSequence(set []Challenge, n int, r io.Reader) ([]Challenge, error) {
	if r == nil {
		r = rand.Reader
	}
	pool := append([]Challenge(nil), set...)
	n = min(n, len(pool))
	out := make([]Challenge, 0, n)
	for len(out) < n {
		k, err := rand.Int(r, big.NewInt(int64(len(pool))))
		if err != nil {
			return nil, fmt.Errorf("liveness: draw challenge: %w", err)
		}
		i := int(k.Int64())
		out = append(out, pool[i])
		pool = append(pool[:i], pool[i+1:]...)
	}
	return out, nil
}

// NextSequence draws the challenges for a second attempt: n distinct
// challenges from set, none of them in previous when the set allows it
// (else as few repeats as possible), using r (crypto/rand.Reader when nil).
// A citizen who could not be seen to do one challenge is not asked the
// same again.
func NextSequence(set, previous []Challenge, n int, r io.Reader) ([]Challenge, error) {
	var fresh, used []Challenge
	for _, c := range set {
		if slices.Contains(previous, c) {
			used = append(used, c)
		} else {
			fresh = append(fresh, c)
		}
	}
	out, err := RandomSequence(fresh, n, r)
	if err != nil || len(out) >= min(n, len(set)) {
		return out, err
	}
	more, err := RandomSequence(used, n-len(out), r)
	return append(out, more...), err
}

// step verifies one challenge from the frames.
type step struct {
	ch    Challenge
	start time.Time
	end   time.Time // when it passed

	baseW   []float64
	baseYaw []float64 // a relative pose source's first yaws in the step
	blink   blinkState
	smile   smileState
	turned  int
	done    bool
}

// verifier holds the cascades steps need.
type verifier struct {
	smile, profile gocv.CascadeClassifier
	o              *Opts
}

func newVerifier(o *Opts) (*verifier, error) {
	v := &verifier{o: o, smile: gocv.NewCascadeClassifier(), profile: gocv.NewCascadeClassifier()}
	if !v.smile.Load(o.CascadeDir+"/haarcascade_smile.xml") || !v.profile.Load(o.CascadeDir+"/haarcascade_profileface.xml") {
		v.close()
		return nil, fmt.Errorf("liveness: load smile/profile cascades from %s: install opencv-data or fix the path", o.CascadeDir)
	}
	return v, nil
}

func (v *verifier) close() { v.smile.Close(); v.profile.Close() }

// feed updates the step with one frame; it reports whether the step is done.
func (v *verifier) feed(s *step, gray gocv.Mat, obs *face.Observation, g *FaceGeometry) bool {
	if !obs.Found || s.done || g.Skipped {
		return s.done
	}
	switch s.ch {
	case MoveCloser:
		s.done = v.closer(s, obs)
	case Blink:
		s.done = s.blink.feed(g, obs.Time, v.o)
	case Smile:
		s.done = v.smiled(s, gray, obs, g)
	case TurnLeft, TurnRight:
		s.done = v.turn(s, gray, obs, g)
	}
	if s.done {
		s.end = obs.Time
	}
	return s.done
}

func (v *verifier) closer(s *step, obs *face.Observation) bool {
	w := float64(obs.Box.Dx())
	if len(s.baseW) < 3 {
		s.baseW = append(s.baseW, w)
		return false
	}
	return w >= v.o.MoveCloserRatio*median(s.baseW)
}

// smiled: with mouth measurements (a landmark source), the mouth widens by
// SmileWidthGain over the person's own width at the step start, or opens;
// without, three frames without a smile-cascade hit on the lower face, then
// three in a row with one.
func (v *verifier) smiled(s *step, gray gocv.Mat, obs *face.Observation, g *FaceGeometry) bool {
	if g.MouthOK {
		return s.smile.feed(g, v.o)
	}
	return s.smile.cascade(v.smileSeen(gray, obs.Box))
}

func (v *verifier) smileSeen(gray gocv.Mat, b image.Rectangle) bool {
	roi := image.Rect(b.Min.X, b.Min.Y+b.Dy()/2, b.Max.X, b.Max.Y).Intersect(image.Rect(0, 0, gray.Cols(), gray.Rows()))
	if roi.Dx() < 20 {
		return false
	}
	sub := gray.Region(roi)
	small := gocv.NewMat()
	defer func() { sub.Close(); small.Close() }()
	gocv.Resize(sub, &small, image.Pt(120, 120*roi.Dy()/roi.Dx()), 0, 0, gocv.InterpolationArea)
	return len(v.smile.DetectMultiScaleWithParams(small, 1.1, 20, 0, image.Pt(40, 15), image.Pt(0, 0))) > 0
}

// turn: the measured yaw passes TurnYaw in the asked direction (a
// relative source: moves TurnYawChange from its median over the step's
// first three measured frames), or the profile cascade finds the face in
// the matching orientation, in two frames. OpenCV's profile cascade finds
// faces whose nose points to the image's left; the image is mirrored to
// look for the other side.
func (v *verifier) turn(s *step, gray gocv.Mat, obs *face.Observation, g *FaceGeometry) bool {
	sign := 1.0 // citizen's left = face towards the image's right = positive yaw
	if s.ch == TurnRight {
		sign = -1
	}
	var hit bool
	switch {
	case g.PoseOK && g.Relative && len(s.baseYaw) < 3:
		s.baseYaw = append(s.baseYaw, g.Yaw)
		return false
	case g.PoseOK && g.Relative:
		hit = sign*(g.Yaw-median(s.baseYaw)) >= v.o.TurnYawChange
	case g.PoseOK:
		hit = sign*g.Yaw >= v.o.TurnYaw
	}
	if !hit && !g.Relative {
		hit = v.profileSeen(gray, obs.Box, sign > 0)
	}
	if hit {
		s.turned++
	}
	return s.turned >= 2
}

func (v *verifier) profileSeen(gray gocv.Mat, box image.Rectangle, noseRight bool) bool {
	roi := growRect(box, 1.4).Intersect(image.Rect(0, 0, gray.Cols(), gray.Rows()))
	if roi.Dx() < 24 {
		return false
	}
	sub := gray.Region(roi)
	small := gocv.NewMat()
	defer func() { sub.Close(); small.Close() }()
	gocv.Resize(sub, &small, image.Pt(120, 120*roi.Dy()/roi.Dx()), 0, 0, gocv.InterpolationArea)
	if noseRight {
		gocv.Flip(small, &small, 1)
	}
	return len(v.profile.DetectMultiScaleWithParams(small, 1.1, 4, 0, image.Pt(50, 50), image.Pt(0, 0))) > 0
}
