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
// follow. It owns its Mesh. During a blink step it runs on every frame
// and, when the iris model is installed, takes the eyelids from it (they
// close much further on a blink than the mesh's, which is what lets a
// blink be seen at 30 px between the eyes); in the other steps it runs the
// mesh alone on every meshEvery-th frame and reports the frames between as
// Skipped, which the challenges wait through.
type landmarkGeometry struct {
	mesh  *landmark.Mesh
	every int // frames per mesh run outside a blink step
	n     int // frames since the step started
	blink bool
}

// meshEvery is the mesh's rate outside blink steps: every other frame
// keeps a turn or a smile (seen on 2-3 measured frames) within a second
// at 25 fps while halving the model's cost on those steps.
const meshEvery = 2

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

func (g *landmarkGeometry) Reset() { g.n, g.blink = 0, false; g.mesh.SetRefineEyes(false) }

func (g *landmarkGeometry) close() { g.mesh.Close() }

// setChallenge is called by the Check when a step starts: a blink is
// judged on every frame with the iris eyelids, the rest at meshEvery.
func (g *landmarkGeometry) setChallenge(ch Challenge) {
	g.n, g.blink = 0, ch == Blink
	g.mesh.SetRefineEyes(g.blink)
}

// Measure fits the mesh in the tracked face box. The landmark package's
// left and right are the person's own; FaceGeometry's are the image's, so
// they swap.
func (g *landmarkGeometry) Measure(frame gocv.Mat, obs *face.Observation) FaceGeometry {
	if !obs.Found {
		return FaceGeometry{}
	}
	g.n++
	if !g.blink && g.every > 1 && (g.n-1)%g.every != 0 {
		return FaceGeometry{Skipped: true}
	}
	l, err := g.mesh.Detect(frame, obs.Box)
	if err != nil || l.Confidence < minMeshConfidence {
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
