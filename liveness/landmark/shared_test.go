package landmark

import (
	"image"
	"math"
	"testing"

	"github.com/ventanilla-mx/ventanilla/internal/fixtures"
	"gocv.io/x/gocv"
)

// TestSharedFaces fits the mesh to the shared sample faces (skipped where
// the shared data is absent): a phone camera's bona fide face, a held print
// of a face turned well to the side and a phone replay. All three show a
// face, so all must fit with a high confidence and open eyes (the mesh
// measures; it does not judge liveness), and the print must read as turned.
// The face boxes were marked by hand: the frontal Haar cascade misses the
// turned print and, on image_T1, finds a false face on the wall, which the
// mesh must reject with a low confidence.
func TestSharedFaces(t *testing.T) {
	m := newMeshOpts(t, Opts{RefineEyes: true})
	for _, c := range []struct {
		name           string
		box, falseFace image.Rectangle
		minYaw         float64
	}{
		{"image_T1.jpg", image.Rect(130, 130, 300, 330), image.Rect(292, 205, 410, 323), 0},
		{"image_F1.jpg", image.Rect(190, 110, 430, 370), image.Rectangle{}, 25},
		{"image_F2.jpg", image.Rect(111, 219, 388, 496), image.Rectangle{}, 0},
	} {
		frame := gocv.IMRead(fixtures.Shared(t, "faces/silent-face/"+c.name), gocv.IMReadColor)
		if frame.Empty() {
			t.Fatalf("%s: cannot decode", c.name)
		}
		defer frame.Close()
		l, err := m.Detect(frame, c.box)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		yaw, pitch, roll := Pose(&l)
		el, er := EyeOpenness(&l)
		t.Logf("%s: confidence %.3f yaw %.1f pitch %.1f roll %.1f EAR %.3f/%.3f", c.name, l.Confidence, yaw, pitch, roll, el, er)
		if l.Confidence < 0.9 || el < 0.12 || er < 0.12 || math.Abs(yaw) < c.minYaw {
			t.Errorf("%s: confidence %.3f, EAR %.3f/%.3f, yaw %.1f: want a fitted face, open eyes, |yaw| >= %.0f",
				c.name, l.Confidence, el, er, yaw, c.minYaw)
		}
		if c.falseFace.Empty() {
			continue
		}
		if l, _ := m.Detect(frame, c.falseFace); l.Confidence > 0.2 {
			t.Errorf("%s: confidence %.3f on the wall", c.name, l.Confidence)
		}
	}
}
