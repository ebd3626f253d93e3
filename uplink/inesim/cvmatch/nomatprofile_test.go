//go:build !matprofile && cvmatch

package cvmatch

// matCount cannot count Mats without -tags matprofile; leak checks then
// compare 0 with 0.
func matCount() int { return 0 }
