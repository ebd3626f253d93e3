package liveness

import (
	"math"

	"github.com/ventanilla-mx/ventanilla/capture/face"
	"gocv.io/x/gocv"
)

// Dynamic cue names.
const (
	// CueParallax: the 75th percentile of the reprojection error of a
	// homography fitted (least median of squares) to the face points
	// between the start and end of a motion window, as a fraction of the
	// face width; the largest over the windows. A photo or a screen moved
	// before the camera is a plane, so a homography explains its points
	// (tracking noise only); a head that turns, blinks or smiles does not.
	// Lower is more spoof-like; the threshold is a minimum.
	CueParallax = "parallax"
	// CueSurround: median motion of the points beside and above the face
	// over the face points' median motion, in the windows where the face
	// moved (median over windows). A hand-held photo or screen moves its own
	// background with the face (ratio near 1); a room stays put (near 0).
	CueSurround = "surround_motion"
	// CueMotion: the largest face motion in a window, fraction of the face width.
	CueMotion = "motion"
	// CueFrozen: the longest run of consecutive frames with no change.
	CueFrozen = "frozen_frames"
)

// motionWindow follows tracked points from an anchor frame and, once the
// face has moved enough, measures planarity and surround motion.
type motionWindow struct {
	anchor    map[uint32]face.Point
	frames    int
	parallax  []float64
	surround  []float64
	maxMotion float64
}

func (w *motionWindow) feed(obs *face.Observation, o *Opts) {
	if !obs.Found || obs.Box.Dx() <= 0 {
		w.anchor = nil
		return
	}
	if w.anchor == nil {
		w.reanchor(obs)
		return
	}
	w.frames++
	fa, fb, sa, sb := w.pairs(obs)
	if len(fa) < 8 {
		w.reanchor(obs)
		return
	}
	fw := float64(obs.Box.Dx())
	motion := medianDisp(fa, fb) / fw
	w.maxMotion = math.Max(w.maxMotion, motion)
	switch {
	case motion >= o.MinMotion:
		w.parallax = append(w.parallax, planarResidual(fa, fb)/fw)
		if len(sa) >= 5 {
			w.surround = append(w.surround, medianDisp(sa, sb)/(motion*fw))
		}
		w.reanchor(obs)
	case w.frames >= o.WindowFrames:
		w.reanchor(obs)
	}
}

func (w *motionWindow) reanchor(obs *face.Observation) {
	w.anchor = make(map[uint32]face.Point, len(obs.Points))
	for _, p := range obs.Points {
		w.anchor[p.ID] = p
	}
	w.frames = 0
}

// pairs returns anchor and current positions of face and surround points.
func (w *motionWindow) pairs(obs *face.Observation) (fa, fb, sa, sb [][2]float64) {
	for _, p := range obs.Points {
		a, ok := w.anchor[p.ID]
		if !ok {
			continue
		}
		pa, pb := [2]float64{float64(a.X), float64(a.Y)}, [2]float64{float64(p.X), float64(p.Y)}
		if p.Region == face.RegionFace {
			fa, fb = append(fa, pa), append(fb, pb)
		} else {
			sa, sb = append(sa, pa), append(sb, pb)
		}
	}
	return fa, fb, sa, sb
}

func medianDisp(a, b [][2]float64) float64 {
	d := make([]float64, len(a))
	for i := range a {
		d[i] = math.Hypot(b[i][0]-a[i][0], b[i][1]-a[i][1])
	}
	return median(d)
}

// planarResidual fits a homography a->b (LMedS) and returns the 75th
// percentile of the reprojection errors in pixels.
func planarResidual(a, b [][2]float64) float64 {
	n := len(a)
	src := gocv.NewMatWithSize(n, 1, gocv.MatTypeCV32FC2)
	dst := gocv.NewMatWithSize(n, 1, gocv.MatTypeCV32FC2)
	mask := gocv.NewMat()
	defer func() { src.Close(); dst.Close(); mask.Close() }()
	vs, _ := src.DataPtrFloat32()
	vd, _ := dst.DataPtrFloat32()
	for i := range a {
		vs[2*i], vs[2*i+1] = float32(a[i][0]), float32(a[i][1])
		vd[2*i], vd[2*i+1] = float32(b[i][0]), float32(b[i][1])
	}
	h := gocv.FindHomography(src, &dst, gocv.HomograpyMethodLMEDS, 3, &mask, 2000, 0.995)
	defer h.Close()
	if h.Empty() || h.Rows() != 3 {
		return 0
	}
	var H [9]float64
	for i := range H {
		H[i] = h.GetDoubleAt(i/3, i%3)
	}
	errs := make([]float64, n)
	for i := range a {
		x, y := a[i][0], a[i][1]
		z := H[6]*x + H[7]*y + H[8]
		if math.Abs(z) < 1e-9 {
			errs[i] = math.Inf(1)
			continue
		}
		px, py := (H[0]*x+H[1]*y+H[2])/z, (H[3]*x+H[4]*y+H[5])/z
		errs[i] = math.Hypot(px-b[i][0], py-b[i][1])
	}
	return quantile(errs, 0.75)
}
