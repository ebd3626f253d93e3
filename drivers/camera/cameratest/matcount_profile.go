//go:build matprofile

package cameratest

import "gocv.io/x/gocv"

// MatCount is the number of live gocv Mats (built with -tags matprofile).
func MatCount() int { return gocv.MatProfile.Count() }
