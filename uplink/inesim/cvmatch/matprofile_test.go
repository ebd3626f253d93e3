//go:build matprofile && cvmatch

package cvmatch

import "gocv.io/x/gocv"

// matCount is the number of live gocv Mats (needs -tags matprofile).
func matCount() int { return gocv.MatProfile.Count() }
