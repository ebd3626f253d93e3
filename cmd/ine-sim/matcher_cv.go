//go:build cvmatch

package main

import (
	"github.com/ventanilla-mx/ventanilla/capture/finger/wsq"
	"github.com/ventanilla-mx/ventanilla/uplink/inesim/cvmatch"
)

const matcherName = "cvmatch (OpenCV: LBP faces, correlation fingers)"

// newMatcher is the OpenCV matcher (uplink/inesim/cvmatch).
func newMatcher() (matcher, error) {
	mo := cvmatch.DefaultOpts()
	mo.DecodeWSQ = wsq.DecodePixels // the kiosk's own codec
	return cvmatch.New(mo)
}

// faceFrame is the first frame of a video from frame n on that shows a
// face, PNG-encoded in memory (cvmatch.Matcher.FaceFrame).
func faceFrame(m matcher, path string, n int) ([]byte, error) {
	face, _, err := m.(*cvmatch.Matcher).FaceFrame(path, n)
	return face, err
}
