package landmark

import (
	"math"
	"testing"
)

// synthetic places the points the measures use on a simple frontal head
// (units: pixels, y down, z away from the camera), rotates it by yaw (about
// the vertical axis; positive turns the nose to the image's right), pitch
// (about the horizontal axis; positive looks down) and roll (in the image
// plane), then moves it to (300, 200).
func synthetic(yaw, pitch, roll float64) *Landmarks {
	var l Landmarks
	set := func(i int, x, y, z float64) { l.Points[i] = Point{float32(x), float32(y), float32(z)} }
	set(rightEyeOuter, -45, 0, 0)
	set(leftEyeOuter, 45, 0, 0)
	set(foreheadTop, 0, -70, 0)
	set(chin, 0, 90, 0)
	set(noseTip, 0, 30, -30)
	// Eyes 30 wide, lids 8 apart: EAR 8/30.
	for _, e := range []struct {
		ix [6]int
		cx float64
	}{{rightEyeEAR, -30}, {leftEyeEAR, 30}} {
		set(e.ix[0], e.cx-15, 0, 0)
		set(e.ix[3], e.cx+15, 0, 0)
		set(e.ix[1], e.cx-5, -4, 0)
		set(e.ix[5], e.cx-5, 4, 0)
		set(e.ix[2], e.cx+5, -4, 0)
		set(e.ix[4], e.cx+5, 4, 0)
	}
	set(mouthRight, -27, 60, 0)
	set(mouthLeft, 27, 60, 0)
	set(lipUpperInner, 0, 57, 0)
	set(lipLowerInner, 0, 63, 0)
	y, p, r := yaw*math.Pi/180, pitch*math.Pi/180, roll*math.Pi/180
	for i, pt := range l.Points {
		x, yy, z := float64(pt.X), float64(pt.Y), float64(pt.Z)
		// pitch about x: looking down moves the chin away (+z).
		yy, z = yy*math.Cos(p)-z*math.Sin(p), yy*math.Sin(p)+z*math.Cos(p)
		// yaw about y: the image-right side moves away.
		x, z = x*math.Cos(y)-z*math.Sin(y), x*math.Sin(y)+z*math.Cos(y)
		// roll in the image plane.
		x, yy = x*math.Cos(r)-yy*math.Sin(r), x*math.Sin(r)+yy*math.Cos(r)
		l.Points[i] = Point{float32(x + 300), float32(yy + 200), float32(z)}
	}
	return &l
}

func TestPoseRecoversRotations(t *testing.T) {
	for _, c := range []struct{ yaw, pitch, roll float64 }{
		{0, 0, 0}, {25, 0, 0}, {-30, 0, 0}, {0, 20, 0}, {0, -15, 0}, {0, 0, 12}, {0, 0, -20},
		{20, 10, 0}, {-15, -10, 5},
	} {
		yaw, pitch, roll := Pose(synthetic(c.yaw, c.pitch, c.roll))
		// Each angle is read from its own axis, so combined rotations
		// couple slightly (under 1 degree at 20 degrees yaw and 10 pitch).
		tol := 0.01
		if c.yaw != 0 && (c.pitch != 0 || c.roll != 0) {
			tol = 1
		}
		for _, v := range []struct {
			name      string
			got, want float64
		}{{"yaw", yaw, c.yaw}, {"pitch", pitch, c.pitch}, {"roll", roll, c.roll}} {
			if math.Abs(v.got-v.want) > tol {
				t.Errorf("%+v: %s = %.2f, want %.2f", c, v.name, v.got, v.want)
			}
		}
	}
}

func TestEyeOpennessAndMouth(t *testing.T) {
	l := synthetic(0, 0, 0)
	left, right := EyeOpenness(l)
	if math.Abs(left-8.0/30) > 1e-6 || math.Abs(right-8.0/30) > 1e-6 {
		t.Errorf("EAR = %.4f, %.4f, want %.4f", left, right, 8.0/30)
	}
	// Close the left eye: its lids meet, the right one stays open.
	for _, i := range []int{1, 2, 4, 5} {
		l.Points[leftEyeEAR[i]].Y = l.Points[leftEyeEAR[0]].Y
	}
	if left, right = EyeOpenness(l); left > 1e-6 || math.Abs(right-8.0/30) > 1e-6 {
		t.Errorf("left closed: EAR = %.4f, %.4f", left, right)
	}
	open, width := Mouth(l)
	if math.Abs(open-6.0/54) > 1e-6 || math.Abs(width-54.0/90) > 1e-6 {
		t.Errorf("mouth = %.4f, %.4f, want %.4f, %.4f", open, width, 6.0/54, 54.0/90)
	}
	// Scale does not change the ratios.
	for i := range l.Points {
		l.Points[i].X *= 2
		l.Points[i].Y *= 2
		l.Points[i].Z *= 2
	}
	if o2, w2 := Mouth(l); math.Abs(o2-open) > 1e-6 || math.Abs(w2-width) > 1e-6 {
		t.Error("mouth measures depend on scale")
	}
	var zero Landmarks
	if a, b := EyeOpenness(&zero); a != 0 || b != 0 {
		t.Error("degenerate eyes not 0")
	}
	if a, b := Mouth(&zero); a != 0 || b != 0 {
		t.Error("degenerate mouth not 0")
	}
}
