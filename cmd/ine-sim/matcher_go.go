//go:build !cvmatch

package main

import "errors"

// matcherName says which matcher this build has (ine-sim --help, logs).
const matcherName = "go (thumbnail correlation; build with -tags cvmatch for OpenCV)"

// newMatcher is the pure-Go matcher: ine-sim links no OpenCV by default.
func newMatcher() (matcher, error) { return goMatcher{}, nil }

// faceFrame needs a video decoder and a face detector, which only the
// OpenCV build has.
func faceFrame(matcher, string, int) ([]byte, error) {
	return nil, errors.New("reading a video needs ine-sim built with -tags cvmatch (OpenCV)")
}
