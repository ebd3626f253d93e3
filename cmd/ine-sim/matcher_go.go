//go:build !cvmatch

package main

// matcherName says which matcher this build has (ine-sim --help, logs).
const matcherName = "go (thumbnail correlation; build with -tags cvmatch for OpenCV)"

// newMatcher is the pure-Go matcher: ine-sim links no OpenCV by default.
func newMatcher() (matcher, error) { return goMatcher{}, nil }
