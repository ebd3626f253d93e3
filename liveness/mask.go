package liveness

import (
	"image"
	"math"

	"github.com/ventanilla-mx/ventanilla/capture/face"
)

// CueDeformOutsideEyes is CueDeform measured on the inner face outside
// the two eye zones only (the points inside the ellipse inscribed in the
// face box, less the eye zones): over each deformation window, those
// points are fitted with one homography, and the 90th
// percentile of their residuals, less deformMotionShare of their median
// displacement, over the face width, is the window's value; the score is
// the 90th percentile over windows.
//
// Why: a cut-out mask (a print of a face with the eyes cut out, held or
// worn before the presenter's face) shows real eyes that blink and look
// around, which deform the face points as a living face does, while
// everything else — brows, nose, cheeks, mouth, jaw, outline — is one
// sheet of paper and follows one homography however the head moves. A
// living face deforms away from its eyes too: lips, brows and jaw move as
// people talk, swallow, smile or frown, and a head that turns shows depth
// (nose against cheeks) that no homography explains. Whatever the print,
// paper, lighting or skin tone, a flat sheet cannot do that. The passive
// verdict's evidence of life (liveEvidence) is therefore read outside the
// eyes: a face whose only non-rigid part is its eyes is not shown to be
// alive (UNCERTAIN, never LIVE). The box's corners are left out because
// they hold hair, ears and background, which on a masked presenter are
// the live head behind the sheet and move off the sheet's plane.
const CueDeformOutsideEyes = "deform_outside_eyes"

// CueParallaxInner is CueParallax measured on the same points (inner face
// outside the eyes), in the same motion windows: the depth a turning head
// shows between nose, cheeks and mouth, which a mask moved by the head
// does not show (its hair and ears, in the box's corners, do).
const CueParallaxInner = "parallax_inner"

// Inner face: the ellipse inscribed in the face box, half-axes in box
// widths and heights.
const (
	innerHalfW = 0.45
	innerHalfH = 0.5
)

// Eye zones, in face-box widths around each eye centre: wide enough to
// hold the lids, lashes and an eye hole cut around them (a hole smaller
// than the eye would hide the blink it is cut to show).
const (
	eyeZoneHalfW = 0.24
	eyeZoneHalfH = 0.15
)

// outsideEyes measures CueDeformOutsideEyes within the deformation
// windows of deformWindow (same anchor, same cadence).
type outsideEyes struct {
	zones    [4]image.Rectangle // eye zones at the anchor frame (cascade and box proportions)
	nzones   int
	cx, cy   float64 // inner face ellipse at the anchor frame
	rx, ry   float64
	best     float64
	measured bool
	scores   []float64
}

// reanchor records the eye zones at the window's first frame: around the
// eye cascade's eyes when it found two, and always around where a face
// box puts the eyes (so a cascade that mistakes a printed brow for an eye
// cannot leave a real eye hole outside the zones).
func (o *outsideEyes) reanchor(obs *face.Observation) {
	o.best, o.measured, o.nzones = 0, false, 0
	b := obs.Box
	w := float64(b.Dx())
	o.cx, o.cy = float64(b.Min.X+b.Max.X)/2, float64(b.Min.Y+b.Max.Y)/2
	o.rx, o.ry = math.Max(1, innerHalfW*w), math.Max(1, innerHalfH*float64(b.Dy()))
	add := func(x, y float64) {
		o.zones[o.nzones] = image.Rect(int(x-eyeZoneHalfW*w), int(y-eyeZoneHalfH*w), int(x+eyeZoneHalfW*w), int(y+eyeZoneHalfH*w))
		o.nzones++
	}
	for _, fx := range [2]float64{0.3, 0.7} {
		add(float64(b.Min.X)+fx*w, float64(b.Min.Y)+0.4*float64(b.Dy()))
	}
	if obs.Quality.EyesFound == 2 {
		for _, e := range obs.Eyes {
			if e.In(b) {
				add(float64(e.X), float64(e.Y))
			}
		}
	}
}

// excluded: the point is outside the inner face or in an eye zone.
func (o *outsideEyes) excluded(p face.Point) bool {
	ex, ey := (float64(p.X)-o.cx)/o.rx, (float64(p.Y)-o.cy)/o.ry
	if ex*ex+ey*ey > 1 {
		return true
	}
	q := image.Pt(int(p.X), int(p.Y))
	for _, z := range o.zones[:o.nzones] {
		if q.In(z) {
			return true
		}
	}
	return false
}

// pairs returns the anchor and current positions of the inner face's
// points outside the eye zones.
func (o *outsideEyes) pairs(anchor map[uint32]face.Point, obs *face.Observation) (a, b [][2]float64) {
	for _, p := range obs.Points {
		q, ok := anchor[p.ID]
		if !ok || p.Region != face.RegionFace || o.excluded(q) {
			continue
		}
		a = append(a, [2]float64{float64(q.X), float64(q.Y)})
		b = append(b, [2]float64{float64(p.X), float64(p.Y)})
	}
	return a, b
}

// measure fits the window's points outside the eye zones (by their anchor
// position) and keeps the window's largest value.
func (o *outsideEyes) measure(anchor map[uint32]face.Point, obs *face.Observation) {
	a, b := o.pairs(anchor, obs)
	if len(a) < deformMinPoints {
		return
	}
	errs, _, ok := planarErrors(a, b)
	if errs = finite(errs); !ok || len(errs) < deformMinPoints {
		return
	}
	v := (quantile(errs, 0.9) - deformMotionShare*medianDisp(a, b)) / float64(obs.Box.Dx())
	if !o.measured || v > o.best {
		o.best, o.measured = v, true
	}
}

// close ends a window.
func (o *outsideEyes) close() {
	if o.measured {
		o.scores = append(o.scores, o.best)
	}
}

// score is the 90th percentile over the windows.
func (o *outsideEyes) score() (float64, bool) {
	if len(o.scores) == 0 {
		return 0, false
	}
	return quantile(o.scores, 0.9), true
}
