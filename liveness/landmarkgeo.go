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
// follow. It owns its Mesh.
type landmarkGeometry struct {
	mesh *landmark.Mesh
}

func newLandmarkGeometry(dir string) (*landmarkGeometry, error) {
	m, err := landmark.New(landmark.Opts{ModelDir: dir})
	if err != nil {
		return nil, err
	}
	return &landmarkGeometry{mesh: m}, nil
}

func (g *landmarkGeometry) Reset() {}

func (g *landmarkGeometry) close() { g.mesh.Close() }

// Measure fits the mesh in the tracked face box. The landmark package's
// left and right are the person's own; FaceGeometry's are the image's, so
// they swap.
func (g *landmarkGeometry) Measure(frame gocv.Mat, obs *face.Observation) FaceGeometry {
	if !obs.Found {
		return FaceGeometry{}
	}
	l, err := g.mesh.Detect(frame, obs.Box)
	if err != nil || l.Confidence < minMeshConfidence {
		return FaceGeometry{}
	}
	yaw, pitch, roll := landmark.Pose(&l)
	left, right := landmark.EyeOpenness(&l)
	open, width := landmark.Mouth(&l)
	return FaceGeometry{OK: true,
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
