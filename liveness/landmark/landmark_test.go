package landmark

import (
	"image"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/ventanilla-mx/ventanilla/capture/face"
	"github.com/ventanilla-mx/ventanilla/drivers/camera/cameratest"
	"github.com/ventanilla-mx/ventanilla/internal/fixtures"
	"gocv.io/x/gocv"
)

// modelDir is .cache/models/mediapipe, fetched by scripts/deps.sh.
func modelDir() string {
	return filepath.Join(fixtures.RepoRoot(), ".cache", "models", "mediapipe")
}

// newMesh loads the model, or skips (fails under CI=true) when it is absent.
func newMesh(tb testing.TB) *Mesh { return newMeshOpts(tb, Opts{}) }

func newMeshOpts(tb testing.TB, o Opts) *Mesh {
	tb.Helper()
	if _, err := os.Stat(filepath.Join(modelDir(), ModelFile)); err != nil {
		if os.Getenv("CI") == "true" {
			tb.Fatal("face mesh model missing from .cache/models (run scripts/deps.sh)")
		}
		tb.Skip("face mesh model missing from .cache/models (run scripts/deps.sh); skipping")
	}
	o.ModelDir = modelDir()
	m, err := New(o)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { m.Close() })
	return m
}

// haarFace finds the largest face with the detector the daemon uses.
func haarFace(tb testing.TB, frame gocv.Mat) image.Rectangle {
	tb.Helper()
	det, err := face.NewCascadeDetector(filepath.Join(face.DefaultCascadeDir, "haarcascade_frontalface_alt2.xml"))
	if err != nil {
		tb.Skipf("face cascade unavailable (install opencv-data): %v", err)
	}
	defer det.Close()
	gray := gocv.NewMat()
	defer gray.Close()
	gocv.CvtColor(frame, &gray, gocv.ColorBGRToGray)
	boxes := det.Detect(gray, frame.Rows()/6)
	if len(boxes) == 0 {
		tb.Fatal("no face found by the Haar detector")
	}
	return boxes[0]
}

func loadFace(tb testing.TB) gocv.Mat {
	tb.Helper()
	m := gocv.IMRead(fixtures.GocvImage(tb, "face.jpg"), gocv.IMReadColor)
	if m.Empty() {
		tb.Fatal("cannot decode face.jpg")
	}
	tb.Cleanup(func() { m.Close() })
	return m
}

// TestDetectFrontalFace fits the mesh to gocv's face.jpg (a frontal webcam
// face with open eyes and a closed mouth) and checks the measures.
func TestDetectFrontalFace(t *testing.T) {
	frame := loadFace(t)
	box := haarFace(t, frame)
	before := cameratest.MatCount()
	m := newMesh(t)
	l, err := m.Detect(frame, box)
	if err != nil {
		t.Fatal(err)
	}
	if l.EyesRefined {
		t.Error("eyes refined without Opts.RefineEyes")
	}
	yaw, pitch, roll := Pose(&l)
	el, er := EyeOpenness(&l)
	open, width := Mouth(&l)
	t.Logf("confidence %.3f yaw %.1f pitch %.1f roll %.1f EAR %.3f/%.3f mouth %.3f/%.3f",
		l.Confidence, yaw, pitch, roll, el, er, open, width)
	if l.Confidence < 0.9 {
		t.Errorf("confidence %.3f on a clear face, want >= 0.9", l.Confidence)
	}
	checks := []struct {
		name      string
		v, lo, hi float64
	}{
		{"yaw", yaw, -12, 12}, {"pitch", pitch, -12, 12}, {"roll", roll, -8, 8},
		{"left EAR", el, 0.18, 0.45}, {"right EAR", er, 0.18, 0.45},
		{"mouth open", open, 0, 0.1}, {"mouth width", width, 0.4, 0.8},
	}
	for _, c := range checks {
		if c.v < c.lo || c.v > c.hi {
			t.Errorf("%s = %.3f, want %.2f..%.2f", c.name, c.v, c.lo, c.hi)
		}
	}
	// The mesh covers the detector's face and stays inside the crop.
	mb := l.Box()
	if inter := mb.Intersect(box); area(inter) < area(box)/2 || !mb.In(l.Crop) {
		t.Errorf("mesh box %v, detector box %v, crop %v", mb, box, l.Crop)
	}
	// The person's right eye is on the image's left.
	if l.Points[rightEyeOuter].X >= l.Points[leftEyeOuter].X {
		t.Error("eyes swapped")
	}
	m.Close()
	if after := cameratest.MatCount(); after != before {
		t.Errorf("%d Mats leaked", after-before)
	}
}

func area(r image.Rectangle) int { return r.Dx() * r.Dy() }

// TestDetectNoFace: a crop without a face has a low confidence.
func TestDetectNoFace(t *testing.T) {
	m := newMesh(t)
	frame := gocv.NewMatWithSizeFromScalar(gocv.NewScalar(90, 120, 150, 0), 480, 640, gocv.MatTypeCV8UC3)
	defer frame.Close()
	gocv.SetRNGSeed(7)
	gocv.RandN(&frame, gocv.NewScalar(120, 120, 120, 0), gocv.NewScalar(40, 40, 40, 0))
	l, err := m.Detect(frame, image.Rect(200, 150, 400, 350))
	if err != nil {
		t.Fatal(err)
	}
	if l.Confidence > 0.2 {
		t.Errorf("confidence %.3f on noise, want <= 0.2", l.Confidence)
	}
}

// TestDetectRejectsBadInput covers the argument checks.
func TestDetectRejectsBadInput(t *testing.T) {
	m := newMesh(t)
	gray := gocv.NewMatWithSize(100, 100, gocv.MatTypeCV8U)
	defer gray.Close()
	empty := gocv.NewMat()
	defer empty.Close()
	frame := loadFace(t)
	for name, c := range map[string]struct {
		f   gocv.Mat
		box image.Rectangle
	}{
		"grey": {gray, image.Rect(0, 0, 50, 50)}, "empty": {empty, image.Rect(0, 0, 50, 50)},
		"tiny box": {frame, image.Rect(10, 10, 14, 14)},
	} {
		if _, err := m.Detect(c.f, c.box); err != ErrBadInput {
			t.Errorf("%s: err = %v, want ErrBadInput", name, err)
		}
	}
	if _, err := New(Opts{ModelDir: t.TempDir()}); err == nil {
		t.Error("New without a model did not fail")
	}
	if _, err := New(Opts{ModelDir: modelDir(), Margin: 9}); err == nil {
		t.Error("New accepted a margin of 9")
	}
}

// TestDetectAllocatesNothing guards the per-frame promise, and that the
// result does not depend on earlier frames, with and without the iris model.
func TestDetectAllocatesNothing(t *testing.T) {
	for _, refine := range []bool{false, true} {
		detectAllocs(t, newMeshOpts(t, Opts{RefineEyes: refine}))
	}
}

func detectAllocs(t *testing.T, m *Mesh) {
	frame := loadFace(t)
	box := haarFace(t, frame)
	first, err := m.Detect(frame, box)
	if err != nil {
		t.Fatal(err)
	}
	allocs := testing.AllocsPerRun(5, func() {
		if _, err := m.Detect(frame, box); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("Detect allocates %v times per frame", allocs)
	}
	again, _ := m.Detect(frame, box)
	if again != first {
		t.Error("Detect is not deterministic")
	}
}

// TestFrameEdge: a face box at the frame's edge still works (the crop's
// outside is filled from the edge).
func TestFrameEdge(t *testing.T) {
	m := newMesh(t)
	frame := loadFace(t)
	box := haarFace(t, frame)
	shift := box.Min.X - 10
	moved := gocv.NewMat()
	defer moved.Close()
	region := frame.Region(image.Rect(shift, 0, frame.Cols(), frame.Rows()))
	defer region.Close()
	region.CopyTo(&moved)
	l, err := m.Detect(moved, box.Sub(image.Pt(shift, 0)))
	if err != nil {
		t.Fatal(err)
	}
	full, _ := m.Detect(frame, box)
	d := math.Abs(float64(l.Points[noseTip].X+float32(shift)) - float64(full.Points[noseTip].X))
	if l.Confidence < 0.5 || d > 4 {
		t.Errorf("at the edge: confidence %.2f, nose moved %.1f px", l.Confidence, d)
	}
}
