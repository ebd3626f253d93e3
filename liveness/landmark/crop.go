package landmark

import (
	"fmt"
	"image"
	"image/color"
	"math"

	"gocv.io/x/gocv"
)

// squareAround is the square, margin times the box's larger side, centred on
// the box.
func squareAround(box image.Rectangle, margin float64) image.Rectangle {
	side := int(math.Round(margin * float64(max(box.Dx(), box.Dy()))))
	c := box.Min.Add(box.Max).Div(2)
	min := c.Sub(image.Pt(side/2, side/2))
	return image.Rectangle{Min: min, Max: min.Add(image.Pt(side, side))}
}

// cropTo resamples the crop square of frame into m.crop at the model's input
// size in one affine warp, which also handles a square that leaves the frame.
func (m *Mesh) cropTo(frame gocv.Mat, crop image.Rectangle) {
	s := float64(inputSize) / float64(crop.Dx())
	// dst = s * (src - crop.Min), sampling at pixel centres.
	for i, v := range []float64{s, 0, -s * float64(crop.Min.X), 0, s, -s * float64(crop.Min.Y)} {
		m.warp.SetDoubleAt(i/3, i%3, v)
	}
	gocv.WarpAffineWithParams(frame, &m.crop, m.warp, image.Pt(inputSize, inputSize),
		gocv.InterpolationLinear, gocv.BorderReplicate, color.RGBA{})
}

// toRGB converts a BGR crop to an RGB float input in [0, 1].
func toRGB(crop gocv.Mat, in []float32) error {
	px, err := crop.DataPtrUint8()
	if err != nil || len(px) != len(in) {
		return fmt.Errorf("landmark: crop buffer: %v", err)
	}
	in = in[:len(px)]
	for i := 0; i+3 <= len(px); i += 3 {
		in[i] = float32(px[i+2]) / 255
		in[i+1] = float32(px[i+1]) / 255
		in[i+2] = float32(px[i]) / 255
	}
	return nil
}
