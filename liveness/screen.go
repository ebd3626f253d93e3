package liveness

import (
	"math"

	"gocv.io/x/gocv"
)

// CueDarkFloor is the face's darkest tones against its middle ones: the
// 2nd percentile of the grey 128x128 face over its median. Measured only
// (no threshold): a screen cannot show a black darker than its backlight
// leak plus the room's light on its glass, and a print cannot be darker
// than its ink under the room's light, so a recaptured face's pupils,
// nostrils and hair sit on a raised floor, while a living face's light
// traps (pupils, nostrils, the gap of the lips) stay near the camera's
// black. Cameras' black levels, tone curves and exposure move the floor
// as well, so it is reported for the evaluation to judge, not judged
// (docs/liveness.md, session five).
const CueDarkFloor = "dark_floor"

// darkFloor is CueDarkFloor of a grey 8-bit image.
func darkFloor(g gocv.Mat) float64 {
	v, err := g.DataPtrUint8()
	if err != nil || len(v) == 0 {
		return 0
	}
	var hist [256]int
	for _, x := range v {
		hist[x]++
	}
	at := func(q float64) float64 {
		n, want := 0, int(math.Ceil(q*float64(len(v))))
		for k, c := range hist {
			if n += c; n >= want {
				return float64(k)
			}
		}
		return 255
	}
	return at(0.02) / math.Max(at(0.5), 1)
}
