package liveness

import (
	"image"
	"math"

	"github.com/ventanilla-mx/ventanilla/capture/face"
	"gocv.io/x/gocv"
)

// FaceGeometry is what the challenges measure on one frame: head pose, eye
// openness and mouth shape. The challenge logic (blink, smile, turn) reads
// only this, so a better source (the face landmark model) replaces the
// cascade-based one without touching it.
//
// Openness and mouth values are in the source's own units: the logic only
// compares them with the same person's values earlier in the same step, so
// any measure that grows as the eye (mouth) opens (widens) works.
type FaceGeometry struct {
	// OK: the face was measured on this frame; all else is invalid if not.
	OK bool
	// Skipped: the source runs below the frame rate and did not measure
	// this frame; the challenges wait for the next measured one instead of
	// falling back to the cascades.
	Skipped bool
	// Relative: the pose is judged as its change from the step's start (a
	// landmark model's yaw, whose frontal reading depends on the camera's
	// height and the model's flattened depth) rather than from zero.
	Relative bool
	// PoseOK: Yaw, Pitch and Roll are valid. Degrees; Yaw > 0 is the face
	// turned towards the image's right (the citizen's left on an unmirrored
	// camera), Pitch > 0 is looking down, Roll > 0 clockwise in the image.
	PoseOK           bool
	Yaw, Pitch, Roll float64
	// EyesOK: EyeOpenL and EyeOpenR (image left and right eye) are valid.
	EyesOK             bool
	EyeOpenL, EyeOpenR float64
	// MouthOK: MouthOpen (lip gap) and MouthWidth (corner to corner), both
	// over the inter-ocular distance, are valid.
	MouthOK               bool
	MouthOpen, MouthWidth float64
}

// GeometrySource measures FaceGeometry on a frame (BGR, owned by the
// caller) with its face observation. A source is used by one Check at a
// time, from one goroutine.
type GeometrySource interface {
	Measure(frame gocv.Mat, obs *face.Observation) FaceGeometry
	// Reset forgets per-session state (a new check starts).
	Reset()
}

// cascadeGeometry is the source available without a landmark model: the
// eye-cascade yaw of capture/face and an eye openness read from the pixels
// around the eyes. The eye positions are the last ones the cascade found,
// kept relative to the tracked face box, so they stay on the eyes while the
// lids are closed (when the cascade often finds nothing, or "eyes" on the
// lids). The mouth is left to the smile cascade (MouthOK is false).
type cascadeGeometry struct {
	rel  [2][2]float64 // eye centres relative to the face box (0..1)
	have bool
	grey gocv.Mat
	eye  gocv.Mat
}

func newCascadeGeometry() *cascadeGeometry {
	return &cascadeGeometry{grey: gocv.NewMat(), eye: gocv.NewMat()}
}

func (g *cascadeGeometry) Reset() { g.have = false }

func (g *cascadeGeometry) close() {
	for _, m := range []*gocv.Mat{&g.grey, &g.eye} {
		if !m.Empty() {
			m.SetTo(gocv.NewScalar(0, 0, 0, 0))
		}
		m.Close()
	}
}

// Haar frontal-face boxes put the eyes at about these fractions of the box.
const (
	defaultEyeX = 0.31
	defaultEyeY = 0.39
)

func (g *cascadeGeometry) Measure(frame gocv.Mat, obs *face.Observation) FaceGeometry {
	var fg FaceGeometry
	b := obs.Box
	if !obs.Found || b.Dx() < 24 || frame.Empty() {
		return fg
	}
	fg.OK = true
	q := obs.Quality
	if q.EyesFound == 2 {
		fg.PoseOK, fg.Yaw, fg.Pitch, fg.Roll = true, q.Yaw, q.Pitch, q.Roll
		if obs.EyesSearched && plausibleEyes(b, obs.Eyes) {
			g.follow(b, obs.Eyes)
		}
	}
	eyes := g.eyesIn(b)
	d := math.Hypot(float64(eyes[1].X-eyes[0].X), float64(eyes[1].Y-eyes[0].Y))
	l, okL := g.openness(frame, eyes[0], d)
	r, okR := g.openness(frame, eyes[1], d)
	fg.EyesOK, fg.EyeOpenL, fg.EyeOpenR = okL && okR, l, r
	return fg
}

// follow moves the remembered eye positions towards a new cascade pair,
// smoothed: a single hit on an eyebrow or a lash line must not move the
// patches off the eyes for long enough to look like a blink.
func (g *cascadeGeometry) follow(b image.Rectangle, eyes [2]image.Point) {
	const k = 0.3
	for i, e := range eyes {
		r := [2]float64{float64(e.X-b.Min.X) / float64(b.Dx()), float64(e.Y-b.Min.Y) / float64(b.Dy())}
		if !g.have {
			g.rel[i] = r
			continue
		}
		g.rel[i] = [2]float64{g.rel[i][0] + k*(r[0]-g.rel[i][0]), g.rel[i][1] + k*(r[1]-g.rel[i][1])}
	}
	g.have = true
}

// plausibleEyes rejects cascade hits that are not a pair of eyes in the
// upper face (a nostril, an eyebrow pair).
func plausibleEyes(b image.Rectangle, e [2]image.Point) bool {
	w, h := float64(b.Dx()), float64(b.Dy())
	d := math.Hypot(float64(e[1].X-e[0].X), float64(e[1].Y-e[0].Y))
	y0, y1 := float64(e[0].Y-b.Min.Y)/h, float64(e[1].Y-b.Min.Y)/h
	return d > 0.25*w && d < 0.65*w && y0 > 0.2 && y0 < 0.6 && y1 > 0.2 && y1 < 0.6
}

func (g *cascadeGeometry) eyesIn(b image.Rectangle) [2]image.Point {
	rel := g.rel
	if !g.have {
		rel = [2][2]float64{{defaultEyeX, defaultEyeY}, {1 - defaultEyeX, defaultEyeY}}
	}
	var out [2]image.Point
	for i, r := range rel {
		out[i] = image.Pt(b.Min.X+int(r[0]*float64(b.Dx())), b.Min.Y+int(r[1]*float64(b.Dy())))
	}
	return out
}

// minEyeDistance is the least inter-ocular distance (frame pixels) at
// which eyelids are judged: the patch is then 30 x 20 pixels. Below it
// (a 400 x 300 recording, a face far away) the lids are a few pixels and
// their "openness" is noise that passes blinks on replays and misses real
// ones, so the source abstains (EyesOK false) and a blink step times out
// into the second attempt. The kiosk's quality gate asks for 90 px.
const minEyeDistance = 60

// Eye patch geometry: a window of eyePatchW x eyePatchH inter-ocular
// distances around the eye centre, resampled to patchW x patchH pixels so
// the measure does not depend on the face's size.
const (
	eyePatchW, eyePatchH = 0.5, 0.34
	patchW, patchH       = 24, 16
)

// openness measures the eye patch around c (d: inter-ocular distance) in
// the BGR frame; only the patch is converted to grey.
func (g *cascadeGeometry) openness(frame gocv.Mat, c image.Point, d float64) (float64, bool) {
	if d < minEyeDistance {
		return 0, false
	}
	r := image.Rect(c.X-int(eyePatchW*d/2), c.Y-int(eyePatchH*d/2), c.X+int(eyePatchW*d/2), c.Y+int(eyePatchH*d/2))
	if !r.In(image.Rect(0, 0, frame.Cols(), frame.Rows())) || r.Dx() < 6 || r.Dy() < 4 {
		return 0, false
	}
	sub := frame.Region(r)
	gocv.CvtColor(sub, &g.grey, gocv.ColorBGRToGray)
	sub.Close()
	gocv.Resize(g.grey, &g.eye, image.Pt(patchW, patchH), 0, 0, gocv.InterpolationArea)
	v, err := g.eye.DataPtrUint8()
	if err != nil {
		return 0, false
	}
	return eyeContrast(v), true
}

// eyeContrast is (p70 - p2) / p70 of the eye patch: the dark iris and
// pupil against the sclera and skin make an open eye the highest-contrast
// patch of the face; a closed lid leaves skin and the lash line. The ratio
// cancels the exposure. Only its change against the same person's open
// eyes matters (see blinkStep).
func eyeContrast(v []uint8) float64 {
	var hist [256]int
	for _, p := range v {
		hist[p]++
	}
	hi := percentile8(&hist, len(v), 0.7)
	return (hi - percentile8(&hist, len(v), 0.02)) / math.Max(hi, 1)
}

func percentile8(h *[256]int, n int, q float64) float64 {
	k, acc := int(q*float64(n)), 0
	for i, c := range h {
		acc += c
		if acc > k {
			return float64(i)
		}
	}
	return 255
}
