package liveness

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ventanilla-mx/ventanilla/capture/face"
	"github.com/ventanilla-mx/ventanilla/internal/fixtures"
	"github.com/ventanilla-mx/ventanilla/internal/testenv"
	"github.com/ventanilla-mx/ventanilla/liveness/landmark"
	"gocv.io/x/gocv"
)

// TestNewCheckMissingMesh: a configured face mesh that cannot be loaded
// fails the check's construction (a broken install shows), never silently
// falls back to the cascades.
func TestNewCheckMissingMesh(t *testing.T) {
	o := DefaultOpts()
	o.LandmarkDir = t.TempDir()
	if c, err := NewCheck(o, []Challenge{Blink}); err == nil {
		c.Close()
		t.Fatal("NewCheck succeeded without facemesh.json")
	}
	o.LandmarkDir = t.TempDir() // passive checks need no mesh
	c, err := NewCheck(o, nil)
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
}

// TestLandmarkGeometryOnAFace: on gocv's frontal face.jpg the mesh source
// measures a near-frontal pose, two open eyes of similar openness (sides
// swapped to the image's), and a mouth.
func TestLandmarkGeometryOnAFace(t *testing.T) {
	dir := filepath.Join(fixtures.RepoRoot(), ".cache", "models", "mediapipe")
	_, err := os.Stat(filepath.Join(dir, landmark.ModelFile))
	testenv.RequireFile(t, "face mesh in .cache/models (scripts/deps.sh)", err)
	g, err := newLandmarkGeometry(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer g.close()
	frame := gocv.IMRead(fixtures.GocvImage(t, "face.jpg"), gocv.IMReadColor)
	if frame.Empty() {
		t.Fatal("cannot decode face.jpg")
	}
	defer frame.Close()
	an, err := face.New(&face.Opts{CascadeDir: face.DefaultCascadeDir})
	testenv.Require(t, "face cascades (opencv-data)", err)
	defer an.Close()
	obs := an.Process(frame, time.Unix(0, 0))
	if !obs.Found {
		t.Fatal("no face in face.jpg")
	}
	fg := g.Measure(frame, &obs)
	if !fg.OK || !fg.PoseOK || !fg.EyesOK || !fg.MouthOK {
		t.Fatalf("geometry not measured: %+v", fg)
	}
	if fg.Yaw < -15 || fg.Yaw > 15 {
		t.Errorf("yaw %.1f on a frontal face", fg.Yaw)
	}
	if fg.EyeOpenL <= 0.1 || fg.EyeOpenR <= 0.1 || fg.EyeOpenL/fg.EyeOpenR < 0.6 || fg.EyeOpenL/fg.EyeOpenR > 1.6 {
		t.Errorf("eye openness %.3f / %.3f on open eyes", fg.EyeOpenL, fg.EyeOpenR)
	}
	if noFace := g.Measure(frame, &face.Observation{}); noFace.OK {
		t.Error("measured without a face")
	}
}

// TestLandmarkGeometryRate: outside a blink step the mesh runs on every
// meshEvery-th frame and reports the others as skipped; in a blink step it
// runs on every frame, with the iris model's eyelids when installed.
func TestLandmarkGeometryRate(t *testing.T) {
	dir := filepath.Join(fixtures.RepoRoot(), ".cache", "models", "mediapipe")
	_, err := os.Stat(filepath.Join(dir, landmark.IrisFile))
	testenv.RequireFile(t, "iris model in .cache/models (scripts/deps.sh)", err)
	g, err := newLandmarkGeometry(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer g.close()
	frame := gocv.IMRead(fixtures.GocvImage(t, "face.jpg"), gocv.IMReadColor)
	defer frame.Close()
	an, err := face.New(&face.Opts{CascadeDir: face.DefaultCascadeDir})
	testenv.Require(t, "face cascades (opencv-data)", err)
	defer an.Close()
	obs := an.Process(frame, time.Unix(0, 0))
	if !obs.Found {
		t.Fatal("no face in face.jpg")
	}
	g.setChallenge(TurnLeft)
	var measured, skipped int
	for i := 0; i < 4; i++ {
		fg := g.Measure(frame, &obs)
		switch {
		case fg.OK && fg.Relative && !fg.Skipped:
			measured++
		case fg.Skipped && !fg.OK:
			skipped++
		}
	}
	if measured != 2 || skipped != 2 || g.mesh.RefinesEyes() {
		t.Errorf("turn step: %d measured, %d skipped, iris %v; want 2, 2, false", measured, skipped, g.mesh.RefinesEyes())
	}
	g.setChallenge(Blink)
	if !g.mesh.RefinesEyes() {
		t.Fatal("blink step without the iris model")
	}
	for i := 0; i < 3; i++ {
		if fg := g.Measure(frame, &obs); !fg.OK || !fg.EyesOK || fg.EyeOpenL <= 0.1 {
			t.Fatalf("blink frame %d not measured: %+v", i, fg)
		}
	}
}

// TestEyesEveryWithMesh: the eye cascade runs on every frame of a blink
// step only when the cascades judge the blink; with the face mesh it keeps
// the analyzer's cadence.
func TestEyesEveryWithMesh(t *testing.T) {
	dir := filepath.Join(fixtures.RepoRoot(), ".cache", "models", "mediapipe")
	_, err := os.Stat(filepath.Join(dir, landmark.ModelFile))
	testenv.RequireFile(t, "face mesh in .cache/models (scripts/deps.sh)", err)
	blinkNow := Status{Step: 0, Steps: 1}
	for _, c := range []struct {
		dir  string
		want int
	}{{"", 1}, {dir, 0}} {
		o := DefaultOpts()
		o.LandmarkDir = c.dir
		chk, err := NewCheck(o, []Challenge{Blink})
		testenv.Require(t, "cascades (opencv-data)", err)
		if got := chk.EyesEvery(blinkNow); got != c.want {
			t.Errorf("landmarks %q: EyesEvery %d; want %d", c.dir, got, c.want)
		}
		if got := chk.EyesEvery(Status{Step: 1, Steps: 1, Done: true}); got != 0 {
			t.Errorf("landmarks %q: EyesEvery %d after the step; want 0", c.dir, got)
		}
		chk.Close()
	}
}
