package liveness

import (
	"math"

	"github.com/ventanilla-mx/ventanilla/capture/face"
)

// CueDeform is passive evidence of a living face: over short windows
// (DeformFrames frames, about half a second) the tracked face points are
// fitted with one homography (least median of squares, so the rigid
// majority sets it); the 90th percentile of the points' residuals, less
// deformMotionShare of their median displacement (what tracking error on
// a moving rigid sheet reaches), as a fraction of the face width, is the
// window's non-rigidity. The score is
// the 90th percentile over the windows. A print or any flat medium moves
// as one plane, so its points follow one homography up to tracking noise
// whatever the hand does; a face blinks, moves its lips and brows and turns
// a head with depth, which move a minority of points off the plane (the
// 90th percentile sees a tenth of the points). It needs no head motion and
// no challenge. It does not separate a replayed video (the recorded face is
// alive) nor a cut-out mask whose real eyes blink: those are left to the
// texture and surround cues. Higher is more live; the threshold is a
// minimum (Opts.MinDeform) and only the passive verdict requires it.
const CueDeform = "deformation"

// deformWindow measures CueDeform from the tracked face points, and
// CueDeformOutsideEyes from those outside the eye zones (mask.go).
type deformWindow struct {
	anchor   map[uint32]face.Point
	frames   int
	best     float64 // the current window's largest value so far
	measured bool
	scores   []float64
	out      outsideEyes
}

// deformMotionShare is the part of a window's displacement that tracking
// error on a rigid moving surface can reach: Lucas-Kanade points on a
// sheet or screen swung by a hand drift with motion blur, perspective and
// resampling, in proportion to how far they moved (at most 0.16 of the
// median displacement in any window of the synthetic prints and planes,
// 0.03-0.1 typically). Only the residual beyond it counts as deformation,
// so a print moved fast is not "alive"; a face's blinks and lip movements
// deform it without moving it, and lose almost nothing.
const deformMotionShare = 0.2

// deformMinPoints is the least number of face points followed through a
// window for its fit to mean anything (a homography has 8 degrees of
// freedom; the 90th percentile needs a tenth of the points to be several).
const deformMinPoints = 12

func (w *deformWindow) feed(obs *face.Observation, every int) {
	if !obs.Found || obs.Box.Dx() <= 0 {
		w.anchor = nil
		return
	}
	if w.anchor == nil {
		w.reanchor(obs)
		return
	}
	w.frames++
	// Measured every quarter window (3 frames by default, so a blink shut
	// for 3 frames is seen), the window keeps its largest value.
	if w.frames%max(1, every/4) == 0 {
		if v, ok := w.measure(obs); ok && (!w.measured || v > w.best) {
			w.best, w.measured = v, true
		}
		w.out.measure(w.anchor, obs)
	}
	if w.frames >= every {
		if w.measured {
			w.scores = append(w.scores, w.best)
		}
		w.out.close()
		w.reanchor(obs)
	}
}

// measure fits the face points' motion from the anchor with one
// homography and returns the non-rigidity (see CueDeform).
func (w *deformWindow) measure(obs *face.Observation) (float64, bool) {
	var a, b [][2]float64
	for _, p := range obs.Points {
		q, ok := w.anchor[p.ID]
		if !ok || p.Region != face.RegionFace {
			continue
		}
		a = append(a, [2]float64{float64(q.X), float64(q.Y)})
		b = append(b, [2]float64{float64(p.X), float64(p.Y)})
	}
	if len(a) < deformMinPoints {
		return 0, false
	}
	errs, _, ok := planarErrors(a, b)
	if errs = finite(errs); !ok || len(errs) < deformMinPoints {
		return 0, false
	}
	return (quantile(errs, 0.9) - deformMotionShare*medianDisp(a, b)) / float64(obs.Box.Dx()), true
}

func (w *deformWindow) reanchor(obs *face.Observation) {
	if w.anchor == nil {
		w.anchor = make(map[uint32]face.Point, len(obs.Points))
	}
	clear(w.anchor)
	for _, p := range obs.Points {
		if p.Region == face.RegionFace {
			w.anchor[p.ID] = p
		}
	}
	w.frames, w.measured = 0, false
	w.out.reanchor(obs)
}

// score is the 90th percentile over the windows, and whether any window
// was measured.
func (w *deformWindow) score() (float64, bool) {
	if len(w.scores) == 0 {
		return 0, false
	}
	return quantile(w.scores, 0.9), true
}

// finite drops infinite residuals (points the homography sends to
// infinity) so a quantile stays meaningful.
func finite(v []float64) []float64 {
	out := v[:0]
	for _, x := range v {
		if !math.IsInf(x, 0) && !math.IsNaN(x) {
			out = append(out, x)
		}
	}
	return out
}
