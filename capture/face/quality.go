package face

import (
	"image"
	"math"

	"gocv.io/x/gocv"
)

// Quality is the quality gate's verdict on one frame, with every measure.
type Quality struct {
	Code   Code   // the first failing check in Codes() order, or OK
	Failed []Code // every failing check

	Faces       int     // faces in the last detection
	EyesFound   int     // 0, 1 or 2 open eyes found by the eye cascade
	EyeDistance float64 // pixels; from the eyes, or BoxEyeRatio x box width when not both found
	OffCentre   float64 // face centre's distance from the frame centre, fraction of the frame size
	Yaw         float64 // degrees, positive = face turned towards the image's right (coarse, see estimatePose)
	Pitch       float64 // degrees, positive = face tilted down
	Roll        float64 // degrees, positive = clockwise in the image
	Sharpness   float64 // variance of the Laplacian of the face resized to 128x128
	Brightness  float64 // mean grey level of the face, 0-255
	Clipped     float64 // fraction of face pixels <= 5 or >= 250
	Contrast    float64 // standard deviation of the face's grey levels
	Score       float64 // best-shot score in [0, 1]; 0 unless Code == OK
}

// BoxEyeRatio is the inter-eye distance as a fraction of the width of a
// haarcascade_frontalface_alt2 box for a frontal face; it turns the 90 px
// inter-eye requirement into a box width of 90/BoxEyeRatio = 225 px when the
// eyes themselves are not found.
const BoxEyeRatio = 0.40

// eyeLineRatio is where the eye line sits in a frontal alt2 box, as a
// fraction of its height from the top.
const eyeLineRatio = 0.40

// faceStats measures the face region of the full-resolution grey frame.
func faceStats(gray gocv.Mat, box image.Rectangle, q *Quality) {
	roi := shrink(box, 0.12).Intersect(bounds(gray))
	if roi.Dx() < 8 || roi.Dy() < 8 {
		return
	}
	sub := gray.Region(roi)
	small, lap := gocv.NewMat(), gocv.NewMat()
	mean, std := gocv.NewMat(), gocv.NewMat()
	defer func() { sub.Close(); small.Close(); lap.Close(); mean.Close(); std.Close() }()
	gocv.Resize(sub, &small, image.Pt(128, 128), 0, 0, gocv.InterpolationArea)
	gocv.MeanStdDev(small, &mean, &std)
	q.Brightness, q.Contrast = mean.GetDoubleAt(0, 0), std.GetDoubleAt(0, 0)
	gocv.Laplacian(small, &lap, gocv.MatTypeCV16S, 3, 1, 0, gocv.BorderDefault)
	gocv.MeanStdDev(lap, &mean, &std)
	q.Sharpness = std.GetDoubleAt(0, 0) * std.GetDoubleAt(0, 0)
	q.Clipped = clippedFraction(small)
}

func clippedFraction(m gocv.Mat) float64 {
	t := gocv.NewMat()
	defer t.Close()
	gocv.Threshold(m, &t, 249, 255, gocv.ThresholdBinary)
	hi := gocv.CountNonZero(t)
	gocv.Threshold(m, &t, 5, 255, gocv.ThresholdBinaryInv)
	lo := gocv.CountNonZero(t)
	return float64(hi+lo) / float64(m.Rows()*m.Cols())
}

// findEyes runs the eye cascade on the upper face, scaled so the face is
// eyeWork px wide, and returns the best left/right pair in frame
// coordinates and each eye's side in those work pixels (0 when not found).
func findEyes(c *gocv.CascadeClassifier, gray gocv.Mat, box image.Rectangle) (eyes [2]image.Point, n int, side [2]float64) {
	roi := image.Rect(box.Min.X, box.Min.Y+box.Dy()*15/100, box.Max.X, box.Min.Y+box.Dy()*60/100).Intersect(bounds(gray))
	if roi.Dx() < 20 || roi.Dy() < 10 {
		return eyes, 0, side
	}
	s := eyeWork / float64(roi.Dx())
	found := detectScaled(c, gray, roi, s, 16, 90)
	var l, r image.Rectangle
	for _, e := range found {
		cx := (e.Min.X + e.Max.X) / 2
		switch {
		case cx < int(eyeWork)/2 && area(e) > area(l):
			l = e
		case cx >= int(eyeWork)/2 && area(e) > area(r):
			r = e
		}
	}
	for i, e := range [2]image.Rectangle{l, r} {
		if !e.Empty() {
			eyes[i], n, side[i] = backFrom(roi, s, e), n+1, float64(e.Dx())
		}
	}
	return eyes, plausiblePair(eyes, n), side
}

// findEyesNear searches each eye only in a square of eyeNear times its
// last side around where it was (prev, moved with the tracked box), at
// sizes within eyeSizeRange of that side: a fraction of the upper face's
// windows. It returns what findEyes does; the caller searches the whole
// upper face next time when it finds fewer than two.
func findEyesNear(c *gocv.CascadeClassifier, gray gocv.Mat, box image.Rectangle, prev [2]image.Point, side [2]float64) (eyes [2]image.Point, n int, out [2]float64) {
	if box.Dx() < 20 {
		return eyes, 0, out
	}
	s := eyeWork / float64(box.Dx())
	for i, p := range prev {
		if side[i] <= 0 {
			return eyes, 0, [2]float64{}
		}
		half := int(eyeNear * side[i] / s / 2)
		roi := image.Rect(p.X-half, p.Y-half, p.X+half, p.Y+half).Intersect(bounds(gray))
		k := min(1, eyeNearSide/side[i]) // a large eye is searched smaller
		lo, hi := max(eyeMinWindow, int(side[i]*k/eyeSizeRange)), int(math.Ceil(side[i]*k*eyeSizeRange))
		if float64(min(roi.Dx(), roi.Dy()))*s*k < float64(hi) {
			return eyes, 0, [2]float64{}
		}
		var best image.Rectangle
		for _, e := range detectScaled(c, gray, roi, s*k, lo, hi) {
			if area(e) > area(best) {
				best = e
			}
		}
		if !best.Empty() {
			eyes[i], n, out[i] = backFrom(roi, s*k, best), n+1, float64(best.Dx())/k
		}
	}
	return eyes, plausiblePair(eyes, n), out
}

// Narrow eye search: the square around each eye, in eye sides; how far
// an eye's size may change between searches (a factor either way); the
// side an eye is scaled down to when larger (the cascade's window is
// eyeMinWindow pixels: about 1.4 of it still finds eyes, and the search
// costs with the square of the scale).
const (
	eyeNear      = 2.2
	eyeSizeRange = 1.6
	eyeNearSide  = 28.0
	eyeMinWindow = 20
)

// detectScaled runs the eye cascade on roi of gray scaled by s, with
// windows from lo to hi pixels; boxes are in the scaled roi's pixels.
func detectScaled(c *gocv.CascadeClassifier, gray gocv.Mat, roi image.Rectangle, s float64, lo, hi int) []image.Rectangle {
	sub := gray.Region(roi)
	small := gocv.NewMat()
	defer func() { sub.Close(); small.Close() }()
	w, h := int(math.Round(float64(roi.Dx())*s)), int(float64(roi.Dy())*s)
	gocv.Resize(sub, &small, image.Pt(w, h), 0, 0, gocv.InterpolationLinear)
	return c.DetectMultiScaleWithParams(small, 1.1, 3, 0, image.Pt(lo, lo), image.Pt(hi, hi))
}

// backFrom maps the centre of box e, found in roi scaled by s, to the frame.
func backFrom(roi image.Rectangle, s float64, e image.Rectangle) image.Point {
	c := e.Min.Add(e.Max).Div(2)
	return image.Pt(roi.Min.X+int(float64(c.X)/s), roi.Min.Y+int(float64(c.Y)/s))
}

// plausiblePair demotes a pair whose eyes are not roughly level.
func plausiblePair(eyes [2]image.Point, n int) int {
	if n == 2 && math.Abs(float64(eyes[0].Y-eyes[1].Y)) > 0.3*float64(eyes[1].X-eyes[0].X) {
		return 1
	}
	return n
}

// estimatePose gives coarse yaw, pitch and roll from the eye centres and the
// face box: a head turned by yaw moves the eye midpoint off the box centre by
// about 1.2 x inter-eye distance x sin(yaw); pitch moves the eye line off its
// frontal height the same way. Good to a few degrees near frontal, which is
// all the gate needs; it is not a landmark fit.
func estimatePose(box image.Rectangle, eyes [2]image.Point) (yaw, pitch, roll float64) {
	dx, dy := float64(eyes[1].X-eyes[0].X), float64(eyes[1].Y-eyes[0].Y)
	ied := math.Hypot(dx, dy)
	if ied < 1 {
		return 0, 0, 0
	}
	mx, my := float64(eyes[0].X+eyes[1].X)/2, float64(eyes[0].Y+eyes[1].Y)/2
	cx := float64(box.Min.X+box.Max.X) / 2
	ey := float64(box.Min.Y) + eyeLineRatio*float64(box.Dy())
	deg := func(v float64) float64 { return math.Asin(math.Max(-1, math.Min(1, v))) * 180 / math.Pi }
	return deg((mx - cx) / (1.2 * ied)), deg((my - ey) / (1.2 * ied)), math.Atan2(dy, dx) * 180 / math.Pi
}

// gate fills Code, Failed and Score from the measures.
func gate(q *Quality, box image.Rectangle, frame image.Point, o QualityOpts) {
	fw := float64(frame.X)
	checks := []struct {
		code Code
		fail bool
	}{
		{ManyFaces, q.Faces > 1},
		{TooFar, q.EyeDistance < o.MinEyeDistance},
		{TooClose, float64(box.Dx()) > o.MaxFaceWidth*fw},
		{OffCentre, q.OffCentre > o.MaxOffCentre},
		{NotFrontal, q.EyesFound == 2 && (math.Abs(q.Yaw) > o.MaxYaw || math.Abs(q.Pitch) > o.MaxPitch || math.Abs(q.Roll) > o.MaxRoll)},
		{TooDark, q.Brightness < o.MinBrightness},
		{TooBright, q.Brightness > o.MaxBrightness || q.Clipped > o.MaxClipped},
		{LowContrast, q.Contrast < o.MinContrast},
		{Blurry, q.Sharpness < o.MinSharpness},
		{EyesClosed, q.EyesFound < 2},
	}
	q.Code, q.Failed = OK, nil
	for _, c := range checks {
		if c.fail {
			q.Failed = append(q.Failed, c.code)
		}
	}
	if len(q.Failed) > 0 {
		q.Code, q.Score = q.Failed[0], 0
		return
	}
	q.Score = 0.4*math.Min(1, q.Sharpness/(3*o.MinSharpness)) +
		0.2*(1-math.Abs(q.Yaw)/o.MaxYaw) + 0.1*(1-math.Abs(q.Pitch)/o.MaxPitch) +
		0.15*(1-q.OffCentre/o.MaxOffCentre) + 0.15*(1-math.Abs(q.Brightness-135)/135)
}

// offCentre is the face centre's distance from the frame centre, as a
// fraction of the frame size (the larger of the two axes).
func offCentre(box image.Rectangle, frame image.Point) float64 {
	c := box.Min.Add(box.Max).Div(2)
	return math.Max(math.Abs(float64(c.X)/float64(frame.X)-0.5), math.Abs(float64(c.Y)/float64(frame.Y)-0.5))
}

// eyeWork is the width the upper face is scaled to for the eye cascade.
const eyeWork = 200.0
