package face

import (
	"image"
	"math"
	"slices"

	"gocv.io/x/gocv"
)

// Region says where a tracked point was seeded.
type Region uint8

const (
	// RegionFace points lie inside the face box.
	RegionFace Region = iota
	// RegionSurround points lie beside and above the head, from about 0.3
	// to 0.9 face widths beyond the face box (where a hand-held photo's or
	// screen's own background, bezel and fingers would be, and a live
	// person's room); the hair and ears next to the face, and the area
	// below it (neck, body), are excluded, since they move with the head.
	RegionSurround
)

// Point is a tracked feature point in camera frame coordinates. A point
// keeps its ID while it is tracked; reseeded points get new IDs.
type Point struct {
	ID     uint32
	X, Y   float32
	Region Region
}

// tracker follows feature points with pyramidal Lucas-Kanade optical flow
// on the work-size grey image.
type tracker struct {
	pts    []Point // work-image coordinates
	nextID uint32
}

const (
	maxFacePoints     = 40
	maxSurroundPoints = 30
)

// step moves every point from prev to cur; lost points are dropped. It
// returns the points' previous positions by ID for the ones kept.
func (t *tracker) step(prev, cur gocv.Mat) map[uint32][2]float32 {
	if len(t.pts) == 0 || prev.Empty() {
		return nil
	}
	n := len(t.pts)
	p0 := gocv.NewMatWithSize(n, 1, gocv.MatTypeCV32FC2)
	p1 := gocv.NewMat()
	status, errs := gocv.NewMat(), gocv.NewMat()
	defer func() { p0.Close(); p1.Close(); status.Close(); errs.Close() }()
	v0, _ := p0.DataPtrFloat32()
	for i, p := range t.pts {
		v0[2*i], v0[2*i+1] = p.X, p.Y
	}
	crit := gocv.NewTermCriteria(gocv.Count|gocv.EPS, 20, 0.03)
	gocv.CalcOpticalFlowPyrLKWithParams(prev, cur, p0, p1, &status, &errs, image.Pt(15, 15), 2, crit, 0, 1e-4)
	v1, err1 := p1.DataPtrFloat32()
	st, err2 := status.DataPtrUint8()
	if err1 != nil || err2 != nil || len(st) < n {
		t.pts = t.pts[:0]
		return nil
	}
	before := make(map[uint32][2]float32, n)
	kept := t.pts[:0]
	for i, p := range t.pts {
		x, y := v1[2*i], v1[2*i+1]
		if st[i] == 0 || x < 0 || y < 0 || int(x) >= cur.Cols() || int(y) >= cur.Rows() {
			continue
		}
		before[p.ID] = [2]float32{p.X, p.Y}
		p.X, p.Y = x, y
		kept = append(kept, p)
	}
	t.pts = kept
	return before
}

// count returns how many points of a region are tracked.
func (t *tracker) count(r Region) int {
	n := 0
	for _, p := range t.pts {
		if p.Region == r {
			n++
		}
	}
	return n
}

// drop removes a region's points.
func (t *tracker) drop(r Region) {
	t.pts = slices.DeleteFunc(t.pts, func(p Point) bool { return p.Region == r })
}

// seedFace finds corners inside the face box (work coordinates).
func (t *tracker) seedFace(gray gocv.Mat, box image.Rectangle) {
	t.drop(RegionFace)
	inner := shrink(box, 0.1).Intersect(bounds(gray))
	t.add(gray, inner, RegionFace, maxFacePoints, func(x, y float32) bool { return true })
}

// seedSurround finds corners beside and above the head, not below it.
func (t *tracker) seedSurround(gray gocv.Mat, box image.Rectangle) {
	t.drop(RegionSurround)
	outer := grow(box, 2.8).Intersect(bounds(gray))
	outer.Max.Y = min(outer.Max.Y, box.Max.Y)
	exclude := growXY(box, 1.6, 2.1) // the head: ears beside, hair above
	keep := func(x, y float32) bool { return !image.Pt(int(x), int(y)).In(exclude) }
	t.add(gray, outer, RegionSurround, maxSurroundPoints, keep)
}

func (t *tracker) add(gray gocv.Mat, roi image.Rectangle, r Region, maxN int, keep func(x, y float32) bool) {
	if roi.Dx() < 8 || roi.Dy() < 8 {
		return
	}
	sub := gray.Region(roi)
	corners := gocv.NewMat()
	defer func() { sub.Close(); corners.Close() }()
	gocv.GoodFeaturesToTrack(sub, &corners, maxN*2, 0.01, 3)
	v, err := corners.DataPtrFloat32()
	if err != nil {
		return
	}
	n := 0
	for i := 0; i+1 < len(v) && n < maxN; i += 2 {
		x, y := v[i]+float32(roi.Min.X), v[i+1]+float32(roi.Min.Y)
		if keep(x, y) {
			t.pts = append(t.pts, Point{ID: t.nextID, X: x, Y: y, Region: r})
			t.nextID++
			n++
		}
	}
}

// fbox is a box kept in floating point so sub-pixel motion accumulates.
type fbox struct{ cx, cy, w, h float64 }

func toF(r image.Rectangle) fbox {
	return fbox{float64(r.Min.X+r.Max.X) / 2, float64(r.Min.Y+r.Max.Y) / 2, float64(r.Dx()), float64(r.Dy())}
}

func (b fbox) rect(scale float64) image.Rectangle {
	return image.Rect(int((b.cx-b.w/2)*scale), int((b.cy-b.h/2)*scale), int((b.cx+b.w/2)*scale), int((b.cy+b.h/2)*scale))
}

// moveBox applies the face points' median translation and scale change.
func (t *tracker) moveBox(box fbox, before map[uint32][2]float32) (fbox, bool) {
	var dx, dy, x0, y0, x1, y1 []float64
	for _, p := range t.pts {
		b, ok := before[p.ID]
		if p.Region != RegionFace || !ok {
			continue
		}
		dx, dy = append(dx, float64(p.X-b[0])), append(dy, float64(p.Y-b[1]))
		x0, y0, x1, y1 = append(x0, float64(b[0])), append(y0, float64(b[1])), append(x1, float64(p.X)), append(y1, float64(p.Y))
	}
	if len(dx) < 4 {
		return box, false
	}
	s := spread(x1, y1) / math.Max(spread(x0, y0), 1e-6)
	if s < 0.8 || s > 1.25 {
		s = 1
	}
	return fbox{box.cx + median(dx), box.cy + median(dy), box.w * s, box.h * s}, true
}

// spread is the median distance of points from their median centre.
func spread(xs, ys []float64) float64 {
	mx, my := median(xs), median(ys)
	d := make([]float64, len(xs))
	for i := range xs {
		d[i] = math.Hypot(xs[i]-mx, ys[i]-my)
	}
	return median(d)
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func bounds(m gocv.Mat) image.Rectangle { return image.Rect(0, 0, m.Cols(), m.Rows()) }

// grow scales a rectangle about its centre.
func grow(r image.Rectangle, f float64) image.Rectangle {
	cx, cy := float64(r.Min.X+r.Max.X)/2, float64(r.Min.Y+r.Max.Y)/2
	w, h := float64(r.Dx())*f/2, float64(r.Dy())*f/2
	return image.Rect(int(cx-w), int(cy-h), int(cx+w), int(cy+h))
}

// growXY scales r about its centre by fx horizontally and fy vertically.
func growXY(r image.Rectangle, fx, fy float64) image.Rectangle {
	cx, cy := float64(r.Min.X+r.Max.X)/2, float64(r.Min.Y+r.Max.Y)/2
	w, h := float64(r.Dx())*fx/2, float64(r.Dy())*fy/2
	return image.Rect(int(cx-w), int(cy-h), int(cx+w), int(cy+h))
}

func shrink(r image.Rectangle, f float64) image.Rectangle { return grow(r, 1-2*f) }

// iou is the intersection over union of two rectangles.
func iou(a, b image.Rectangle) float64 {
	in := area(a.Intersect(b))
	u := area(a) + area(b) - in
	if u <= 0 {
		return 0
	}
	return float64(in) / float64(u)
}
