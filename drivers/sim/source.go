package sim

import (
	"fmt"
	"image"
	"image/draw"
	_ "image/jpeg" // finger images from JPEG files
	_ "image/png"  // and PNG files
	"os"

	"github.com/ventanilla-mx/ventanilla/capture/finger/fingergen"
)

// LoadImage reads a PNG or JPEG file and scales it to w×h 8-bit grayscale
// (cover: the longer side is cropped, never distorted).
func LoadImage(path string, w, h int) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("sim: finger image: %w", err)
	}
	defer f.Close()
	src, _, err := image.Decode(f)
	if err != nil {
		return nil, fmt.Errorf("sim: finger image %s: %w (PNG or JPEG expected)", path, err)
	}
	gray, ok := src.(*image.Gray)
	if !ok {
		gray = image.NewGray(src.Bounds())
		draw.Draw(gray, gray.Bounds(), src, src.Bounds().Min, draw.Src)
	}
	return fingergen.Resample(gray, w, h), nil
}

// Synthetic renders impression n of synthetic finger seed at the model's
// geometry and resolution.
func (d *Device) Synthetic(seed uint64, n int) []byte {
	w, h := d.Geometry()
	ppi := 500.0
	if d.cfg.Model == R503 {
		ppi = 508
	}
	return fingergen.Render(fingergen.Cached(seed).Impression(n).Image, w, h, ppi)
}
