package face

import "image"

// Geometry is the layout of the output crop. TokenFrontal gives the token
// frontal image of ISO/IEC 19794-5 (clause 8.3): width W, height 4W/3, the
// midpoint of the eyes at (W/2, 0.6W) from the top-left corner, eye centres
// 0.25W apart, the eye line horizontal. With W = 480 the eyes are 120 px
// apart, above the 90 px the full frontal type asks for, and the full head
// and the top of the shoulders are inside the image.
type Geometry struct {
	Width, Height int
	EyeMidX       float64 // pixels from the left
	EyeMidY       float64 // pixels from the top
	EyeDistance   float64 // pixels between eye centres
	JPEGQuality   int     // 1-100
}

// TokenFrontal returns the ISO/IEC 19794-5 token frontal geometry for an
// image width (at least 240).
func TokenFrontal(width int) Geometry {
	width = max(width, 240)
	w := float64(width)
	return Geometry{Width: width, Height: width * 4 / 3, EyeMidX: w / 2, EyeMidY: 0.6 * w, EyeDistance: 0.25 * w, JPEGQuality: 92}
}

// eyeTargets are where the left and right eye (in image order) go.
func (g Geometry) eyeTargets() (l, r [2]float64) {
	return [2]float64{g.EyeMidX - g.EyeDistance/2, g.EyeMidY}, [2]float64{g.EyeMidX + g.EyeDistance/2, g.EyeMidY}
}

func (g Geometry) size() image.Point { return image.Pt(g.Width, g.Height) }
