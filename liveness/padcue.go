package liveness

import (
	"fmt"
	"image"
	"os"
	"path/filepath"

	"github.com/ventanilla-mx/ventanilla/liveness/pad"
	"gocv.io/x/gocv"
)

// Learned passive cues (package pad), computed on every PADEvery-th frame
// with a face when Opts.PADDir holds the models.
const (
	// CuePADReal: human-models' antispoof probability that the face is
	// real. Lower is more spoof-like; the threshold is a minimum.
	CuePADReal = "pad_real"
	// CuePADLive: human-models' liveness class-0 probability (measured
	// only; docs/liveness.md says why it is not judged).
	CuePADLive = "pad_live"
)

// installedPADDir is where the package installs the anti-spoofing models.
const installedPADDir = "/usr/share/ventanilla/models/pad"

// DefaultPADDir is the first directory holding the anti-spoofing models: the
// installed one, else a build tree's .cache/models/pad beside the
// executable's bin/. "" when neither exists: the learned cues are then not
// measured.
func DefaultPADDir() string {
	dirs := []string{installedPADDir}
	if self, err := os.Executable(); err == nil {
		dirs = append(dirs, filepath.Join(filepath.Dir(self), "..", ".cache", "models", "pad"))
	}
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, pad.AntispoofFile)); err == nil {
			return d
		}
	}
	return ""
}

// padCues scores a face with the learned models; nil scorer or a failed
// inference adds nothing (the cue is then absent, never a guess).
func padCues(s *pad.Scorer, frame gocv.Mat, box image.Rectangle, out map[string]float64) {
	if s == nil {
		return
	}
	sc, err := s.Score(frame, box)
	if err != nil {
		return
	}
	out[CuePADReal], out[CuePADLive] = sc.Real, sc.Live
}

// feedPAD adds one frame's learned scores to the cue series.
func (c *Check) feedPAD(frame gocv.Mat, box image.Rectangle) {
	out := map[string]float64{}
	padCues(c.pad, frame, box, out)
	for k, v := range out {
		c.cues[k] = append(c.cues[k], v)
	}
}

// padFails: the learned score was measured and is below a set minimum.
func (c *Check) padFails(s map[string]float64) bool {
	v, ok := s[CuePADReal]
	return ok && c.o.MinPADReal > 0 && v < c.o.MinPADReal
}

func padThreshold(min float64) string {
	if min <= 0 {
		return "measured only"
	}
	return fmt.Sprintf(">= %g", min)
}
