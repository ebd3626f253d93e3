package liveness

import (
	"image"
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
	obs.Detected, obs.EyesSearched = false, false // a frame the analyzer left free
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
	busy := obs // face.jpg's first frame ran the detector and the eye search
	obs.Detected, obs.EyesSearched = false, false
	g.setChallenge(TurnLeft)
	if fg := g.Measure(frame, &busy); !fg.Skipped || !g.due() {
		t.Errorf("a due run on a frame that detected: %+v, due %v; want skipped and still due", fg, g.due())
	}
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
		o := obs
		if i == 1 {
			o = busy // every frame of a blink step, busy or not
		}
		if fg := g.Measure(frame, &o); !fg.OK || !fg.EyesOK || fg.EyeOpenL <= 0.1 {
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

// TestStaticCuesAvoidBusyFrames: the static cues run on the first face
// frame (a still has only that one), then every StaticEvery face frames on
// frames that carried no detection or eye search; the legacy schedule
// (the benchmarks' baseline) runs them on fixed frames, busy or not.
func TestStaticCuesAvoidBusyFrames(t *testing.T) {
	frame := gocv.IMRead(fixtures.GocvImage(t, "face.jpg"), gocv.IMReadColor)
	defer frame.Close()
	busy := func(i int) bool { return i%3 == 0 }
	for _, legacy := range []bool{false, true} {
		o := DefaultOpts()
		o.Legacy = legacy
		chk, err := NewCheck(o, nil)
		testenv.Require(t, "cascades (opencv-data)", err)
		var on []int
		for i := 0; i < 13; i++ {
			obs := face.Observation{Time: time.Unix(0, int64(i)*40e6), Frame: image.Pt(640, 480), Found: true,
				Box: faceBox, FrameDiff: 3, Detected: busy(i), EyesSearched: busy(i+1) && i%2 == 0}
			n := len(chk.cues[CueMoire])
			chk.Feed(frame, &obs)
			if len(chk.cues[CueMoire]) > n {
				on = append(on, i)
			}
		}
		chk.Close()
		if len(on) < 4 || on[0] != 0 {
			t.Errorf("legacy %v: static cues on frames %v; want the first and at least 3 more in 13", legacy, on)
		}
		clash := false
		for _, i := range on[1:] {
			clash = clash || busy(i) || busy(i+1) && i%2 == 0
		}
		if clash != legacy {
			t.Errorf("legacy %v: static cues on frames %v, some busy: %v", legacy, on, clash)
		}
	}
}

// TestPlanKeepsMeshFrames: while the mesh judges a turn, the plan keeps
// the frame its run is due on free of detection and eye searches, and
// asks for fewer of both; the legacy schedule asks only the eye cadence.
func TestPlanKeepsMeshFrames(t *testing.T) {
	dir := filepath.Join(fixtures.RepoRoot(), ".cache", "models", "mediapipe")
	_, err := os.Stat(filepath.Join(dir, landmark.ModelFile))
	testenv.RequireFile(t, "face mesh in .cache/models (scripts/deps.sh)", err)
	for _, legacy := range []bool{false, true} {
		o := DefaultOpts()
		o.LandmarkDir, o.Legacy = dir, legacy
		chk, err := NewCheck(o, []Challenge{TurnLeft})
		testenv.Require(t, "cascades (opencv-data)", err)
		p := chk.Plan(Status{Steps: 1})
		if want := !legacy; p.Yield != want || (p.EyesEvery == meshEyesEvery) != want {
			t.Errorf("legacy %v: plan %+v at a due mesh run", legacy, p)
		}
		chk.mesh.wait = 1
		if p := chk.Plan(Status{Steps: 1}); p.Yield {
			t.Errorf("legacy %v: plan %+v keeps a frame the mesh skips", legacy, p)
		}
		if p := chk.Plan(Status{Step: 1, Steps: 1, Done: true}); p.Yield || p.EyesEvery != 0 {
			t.Errorf("legacy %v: plan %+v after the check", legacy, p)
		}
		chk.Close()
	}
}
