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
	// CueFollow: the fraction of the surround points (beside and above the
	// face) that move the way the face's homography predicts, in the
	// windows where the face moved (median over windows). A photo or a
	// screen moves its own surround (sheet, bezel, the photo's background)
	// with the face as one plane (near 1); a room stays put and a head's
	// motion does not carry it (near 0). It decides what a planar face
	// means: planar with its surround is SPOOF(planar_motion); planar alone
	// (a head moving straight towards the camera is nearly planar) is
	// UNCERTAIN(planar_face_only), which the second attempt can resolve.
	CueFollow = "surround_follows"
	// CueLateral: the number of motion windows in which the face moved
	// across the image (or turned) more than it grew or shrank. A head
	// moving straight towards the camera is nearly planar (its depth
	// relief is small against the distance), so windows of pure approach
	// cannot show a face is flat; planar motion convicts
	// (SPOOF(planar_motion)) only with at least one lateral window.
	CueLateral = "lateral_windows"
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
	follow    []float64
	lateral   int
	maxMotion float64
	inner     outsideEyes // the inner face outside the eyes at the anchor (mask.go)
	parInner  []float64   // CueParallaxInner per window
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
		res, H, ok := planarFit(fa, fb)
		w.parallax = append(w.parallax, res/fw)
		if ia, ib := w.inner.pairs(w.anchor, obs); len(ia) >= 8 {
			r, _, _ := planarFit(ia, ib)
			w.parInner = append(w.parInner, r/fw)
		}
		if !zoomDominated(fa, fb) {
			w.lateral++
		}
		if len(sa) >= 5 {
			w.surround = append(w.surround, medianDisp(sa, sb)/(motion*fw))
			if ok {
				w.follow = append(w.follow, followFraction(H, sa, sb, motion*fw))
			}
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
	w.inner.reanchor(obs)
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

// zoomDominated: the points a->b spread from (or towards) their centroid
// by more than the centroid moved.
func zoomDominated(a, b [][2]float64) bool {
	ca, cb := centroid(a), centroid(b)
	ra, rb := make([]float64, len(a)), make([]float64, len(b))
	for i := range a {
		ra[i] = math.Hypot(a[i][0]-ca[0], a[i][1]-ca[1])
		rb[i] = math.Hypot(b[i][0]-cb[0], b[i][1]-cb[1])
	}
	spread := math.Abs(median(rb) - median(ra))
	return spread > math.Hypot(cb[0]-ca[0], cb[1]-ca[1])
}

func centroid(p [][2]float64) [2]float64 {
	var c [2]float64
	for _, q := range p {
		c[0], c[1] = c[0]+q[0], c[1]+q[1]
	}
	n := float64(max(len(p), 1))
	return [2]float64{c[0] / n, c[1] / n}
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
	r, _, _ := planarFit(a, b)
	return r
}

// followFraction is the fraction of the points a->b that moved (more than
// a quarter of the face's motion) and landed within a quarter of the
// face's motion of where the face's homography H sends them.
func followFraction(H [9]float64, a, b [][2]float64, faceMotion float64) float64 {
	tol := math.Max(1, 0.25*faceMotion)
	n := 0
	for i := range a {
		p, ok := applyH(H, a[i])
		if !ok {
			continue
		}
		moved := math.Hypot(b[i][0]-a[i][0], b[i][1]-a[i][1]) > tol
		if moved && math.Hypot(p[0]-b[i][0], p[1]-b[i][1]) <= tol {
			n++
		}
	}
	return float64(n) / float64(max(len(a), 1))
}

func applyH(H [9]float64, p [2]float64) ([2]float64, bool) {
	x, y := p[0], p[1]
	z := H[6]*x + H[7]*y + H[8]
	if math.Abs(z) < 1e-9 {
		return p, false
	}
	return [2]float64{(H[0]*x + H[1]*y + H[2]) / z, (H[3]*x + H[4]*y + H[5]) / z}, true
}

// planarFit fits a homography a->b (LMedS); it returns the 75th percentile
// of the reprojection errors in pixels and the homography.
func planarFit(a, b [][2]float64) (float64, [9]float64, bool) {
	errs, H, ok := planarErrors(a, b)
	if !ok {
		return 0, H, false
	}
	return quantile(errs, 0.75), H, true
}

// planarErrors fits a homography a->b (LMedS) and returns every point's
// reprojection error in pixels (+Inf for a point sent to infinity).
func planarErrors(a, b [][2]float64) ([]float64, [9]float64, bool) {
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
	var H [9]float64
	if h.Empty() || h.Rows() != 3 {
		return nil, H, false
	}
	for i := range H {
		H[i] = h.GetDoubleAt(i/3, i%3)
	}
	errs := make([]float64, n)
	for i := range a {
		p, ok := applyH(H, a[i])
		if !ok {
			errs[i] = math.Inf(1)
			continue
		}
		errs[i] = math.Hypot(p[0]-b[i][0], p[1]-b[i][1])
	}
	return errs, H, true
}
