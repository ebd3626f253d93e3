package face

import (
	"image"
	"image/color"
	"testing"

	"gocv.io/x/gocv"
)

// TestSurroundLeavesTheHeadOut: surround points are seeded beside and
// above the head, never on the hair and ears next to the face nor below
// it, on an image with corners everywhere.
func TestSurroundLeavesTheHeadOut(t *testing.T) {
	g := gocv.NewMatWithSize(240, 320, gocv.MatTypeCV8U)
	defer g.Close()
	for y := 0; y < 240; y += 12 {
		for x := (y / 12 % 2) * 12; x < 320; x += 24 {
			gocv.Rectangle(&g, image.Rect(x, y, x+12, y+12), color.RGBA{255, 255, 255, 0}, -1)
		}
	}
	box := image.Rect(130, 90, 190, 150)
	var tr tracker
	tr.seedSurround(g, box)
	head := growXY(box, 1.6, 2.1)
	n := 0
	for _, p := range tr.pts {
		if p.Region != RegionSurround {
			continue
		}
		n++
		pt := image.Pt(int(p.X), int(p.Y))
		if pt.In(head) || p.Y > float32(box.Max.Y) {
			t.Errorf("surround point %v on the head or below the face %v", pt, box)
		}
	}
	if n < 10 {
		t.Fatalf("%d surround points on a checkerboard", n)
	}
}
