package liveness

import (
	"image"
	"image/color"
	"math"
	"slices"

	"gocv.io/x/gocv"
)

// Static cue names, as they appear in Decision.Scores and in SPOOF reasons.
const (
	// CueMoire: spectral peakiness of the high-passed face (strongest peak
	// over the median in the 0.3-0.9 Nyquist band of the 128x128 face's
	// windowed spectrum). A screen's pixel grid and the moiré it makes with
	// the camera's sensor show as isolated peaks; skin does not. Higher is
	// more screen-like.
	CueMoire = "moire"
	// CuePrintTexture: energy in the top frequency band (0.6-1.0 Nyquist)
	// over the mid band (0.1-0.3) of the same spectrum. Halftone dots and
	// paper grain add high frequencies a face lacks. Higher is more print-like.
	CuePrintTexture = "print_texture"
	// CueColour: colourfulness of the face (Hasler and Süsstrunk 2003,
	// opponent-colour spread), scaled up to mid-grey exposure for
	// under-exposed faces. Prints and many screens compress the gamut.
	// Lower is more spoof-like; the threshold is a minimum.
	CueColour = "colour_gamut"
	// CueGlare: the largest connected area of near-white, unsaturated pixels
	// in the face and its surround, as a fraction of the face area. Skin
	// has small specular spots; glossy paper and glass make large ones.
	CueGlare = "glare"
	// CueBorder: how many sides (left, right, top, bottom) of the face's
	// surround hold a long straight edge running parallel to the face box
	// outside it: the frame of a photo, a phone or a tablet.
	CueBorder = "border"
	// CueBlur: re-blur blur estimate of the face (Crété-Roffet et al. 2007),
	// 0 sharp .. 1 blurred. A recaptured photo or screen is blurred twice.
	CueBlur = "blur"
)

// staticScores computes every static cue on one frame.
type staticScorer struct {
	window gocv.Mat // 128x128 Hann window, float32
	bands  [3][]int // indices of the spectrum in mid, high-pass and top bands
}

const specN = 128

func newStaticScorer() *staticScorer {
	s := &staticScorer{window: gocv.NewMatWithSize(specN, specN, gocv.MatTypeCV32F)}
	w, _ := s.window.DataPtrFloat32()
	for y := 0; y < specN; y++ {
		for x := 0; x < specN; x++ {
			hy := 0.5 - 0.5*math.Cos(2*math.Pi*float64(y)/(specN-1))
			hx := 0.5 - 0.5*math.Cos(2*math.Pi*float64(x)/(specN-1))
			w[y*specN+x] = float32(hx * hy)
		}
	}
	for y := 0; y < specN; y++ {
		for x := 0; x < specN; x++ {
			fy, fx := freq(y), freq(x)
			r := math.Hypot(fx, fy) / (specN / 2) // 1 = Nyquist
			switch {
			case r >= 0.1 && r < 0.3:
				s.bands[0] = append(s.bands[0], y*specN+x)
			case r >= 0.3 && r < 0.9:
				s.bands[1] = append(s.bands[1], y*specN+x)
			}
			if r >= 0.6 && r <= 1.0 {
				s.bands[2] = append(s.bands[2], y*specN+x)
			}
		}
	}
	return s
}

func freq(i int) float64 {
	if i > specN/2 {
		return float64(i - specN)
	}
	return float64(i)
}

func (s *staticScorer) close() { s.window.Close() }

// score computes every static cue for the face box in a BGR frame.
func (s *staticScorer) score(frame gocv.Mat, box image.Rectangle) map[string]float64 {
	out := map[string]float64{}
	box = box.Intersect(image.Rect(0, 0, frame.Cols(), frame.Rows()))
	if box.Dx() < 16 || box.Dy() < 16 {
		return out
	}
	face := frame.Region(box)
	defer face.Close()
	g := gocv.NewMat()
	defer g.Close()
	gocv.CvtColor(face, &g, gocv.ColorBGRToGray)
	small := gocv.NewMat()
	defer small.Close()
	gocv.Resize(g, &small, image.Pt(specN, specN), 0, 0, gocv.InterpolationArea)
	out[CueMoire], out[CuePrintTexture] = s.spectral(small)
	out[CueBlur] = blurEstimate(small)
	out[CueDarkFloor] = darkFloor(small)
	out[CueColour] = colourfulness(face)
	out[CueGlare] = glare(frame, box)
	out[CueBorder] = float64(borderSides(frame, box))
	return out
}

// spectral returns the moiré peakiness and the print-texture band ratio.
func (s *staticScorer) spectral(small gocv.Mat) (moire, texture float64) {
	f := gocv.NewMat()
	defer f.Close()
	small.ConvertTo(&f, gocv.MatTypeCV32F)
	f.SubtractFloat(float32(f.Mean().Val1))
	return s.spectralOf(f)
}

func (s *staticScorer) spectralOf(f gocv.Mat) (moire, texture float64) {
	gocv.Multiply(f, s.window, &f)
	spec := gocv.NewMat()
	defer spec.Close()
	gocv.DFT(f, &spec, gocv.DftComplexOutput)
	parts := gocv.Split(spec)
	mag := gocv.NewMat()
	defer mag.Close()
	gocv.Magnitude(parts[0], parts[1], &mag)
	for i := range parts {
		parts[i].Close()
	}
	m, err := mag.DataPtrFloat32()
	if err != nil {
		return 0, 0
	}
	pick := func(idx []int) []float64 {
		v := make([]float64, len(idx))
		for i, j := range idx {
			v[i] = float64(m[j])
		}
		return v
	}
	hp := pick(s.bands[1])
	med := median(hp)
	moire = slices.Max(hp) / math.Max(med, 1e-6)
	texture = energy(pick(s.bands[2])) / math.Max(energy(pick(s.bands[0])), 1e-6)
	return moire, texture
}

func energy(v []float64) float64 {
	e := 0.0
	for _, x := range v {
		e += x * x
	}
	return e / float64(max(len(v), 1))
}

// blurEstimate is the Crété-Roffet no-reference blur metric: how much of
// the image's own gradient survives a further 9-tap box blur.
func blurEstimate(g gocv.Mat) float64 {
	v, err := g.DataPtrUint8()
	if err != nil || !g.IsContinuous() {
		return 0
	}
	w, h := g.Cols(), g.Rows()
	b := gocv.NewMat()
	defer b.Close()
	gocv.Blur(g, &b, image.Pt(9, 1))
	bh, _ := b.DataPtrUint8()
	gocv.Blur(g, &b, image.Pt(1, 9))
	bv, _ := b.DataPtrUint8()
	var sf, sb [2]float64
	for y := 1; y < h; y++ {
		for x := 1; x < w; x++ {
			i := y*w + x
			dfv, dfh := absd(v[i], v[i-w]), absd(v[i], v[i-1])
			dbv, dbh := absd(bv[i], bv[i-w]), absd(bh[i], bh[i-1])
			sf[0], sf[1] = sf[0]+dfv, sf[1]+dfh
			sb[0], sb[1] = sb[0]+math.Max(0, dfv-dbv), sb[1]+math.Max(0, dfh-dbh)
		}
	}
	bvert := (sf[0] - sb[0]) / math.Max(sf[0], 1)
	bhor := (sf[1] - sb[1]) / math.Max(sf[1], 1)
	return math.Max(bvert, bhor)
}

func absd(a, b uint8) float64 { return math.Abs(float64(a) - float64(b)) }

// colourfulness is Hasler and Süsstrunk's metric on the inner face.
func colourfulness(face gocv.Mat) float64 {
	inner := face.Region(shrinkRect(image.Rect(0, 0, face.Cols(), face.Rows()), 0.2))
	defer inner.Close()
	small := gocv.NewMat()
	defer small.Close()
	gocv.Resize(inner, &small, image.Pt(48, 48), 0, 0, gocv.InterpolationArea)
	v, err := small.DataPtrUint8()
	if err != nil {
		return 0
	}
	var rg, yb []float64
	luma := 0.0
	for i := 0; i+2 < len(v); i += 3 {
		b, g, r := float64(v[i]), float64(v[i+1]), float64(v[i+2])
		rg, yb = append(rg, r-g), append(yb, 0.5*(r+g)-b)
		luma += 0.114*b + 0.587*g + 0.299*r
	}
	luma /= float64(max(len(rg), 1))
	mrg, srg := meanStd(rg)
	myb, syb := meanStd(yb)
	return exposureGain(luma) * (math.Hypot(srg, syb) + 0.3*math.Hypot(mrg, myb))
}

// exposureGain scales a colour measure taken on an under-exposed face (a
// citizen before a bright window, a dim room) to what it would be at mid
// grey: chroma shrinks with exposure, and a dark genuine face must not read
// as a print's compressed gamut. Faces at or above mid grey are not
// scaled; below minLuma the face is too dark to judge (UNCERTAIN) anyway.
func exposureGain(luma float64) float64 {
	const mid, minLuma = 128.0, 40.0
	return mid / math.Min(mid, math.Max(luma, minLuma))
}

// glare is the largest near-white, unsaturated blob on the face itself
// (the ellipse inscribed in the face box), as a fraction of that ellipse.
// Only the face is judged: a bright window or lamp behind the citizen is
// outside the ellipse and cannot make a genuine face SPOOF(glare), while a
// glossy print or a screen reflects a light source across the face.
func glare(frame gocv.Mat, box image.Rectangle) float64 {
	ctx := box.Intersect(image.Rect(0, 0, frame.Cols(), frame.Rows()))
	scale := math.Min(1, 96/float64(ctx.Dx()))
	sub := frame.Region(ctx)
	sz := image.Pt(max(1, int(float64(ctx.Dx())*scale)), max(1, int(float64(ctx.Dy())*scale)))
	ell := gocv.Zeros(sz.Y, sz.X, gocv.MatTypeCV8U)
	small, hsv, mask, labels, stats, cents := gocv.NewMat(), gocv.NewMat(), gocv.NewMat(), gocv.NewMat(), gocv.NewMat(), gocv.NewMat()
	defer func() {
		for _, m := range []*gocv.Mat{&sub, &small, &hsv, &mask, &ell, &labels, &stats, &cents} {
			m.Close()
		}
	}()
	gocv.Resize(sub, &small, sz, 0, 0, gocv.InterpolationArea)
	gocv.CvtColor(small, &hsv, gocv.ColorBGRToHSV)
	gocv.InRangeWithScalar(hsv, gocv.NewScalar(0, 0, 240, 0), gocv.NewScalar(180, 50, 255, 0), &mask)
	gocv.EllipseWithParams(&ell, image.Pt(sz.X/2, sz.Y/2), image.Pt(sz.X*9/20, sz.Y/2), 0, 0, 360, color.RGBA{255, 255, 255, 0}, -1, gocv.Line8, 0)
	gocv.BitwiseAnd(mask, ell, &mask)
	n := gocv.ConnectedComponentsWithStats(mask, &labels, &stats, &cents)
	largest := 0
	for i := 1; i < n; i++ {
		largest = max(largest, int(stats.GetIntAt(i, 4)))
	}
	area := math.Pi * float64(sz.X) * 9 / 20 * float64(sz.Y) / 2
	return float64(largest) / math.Max(area, 1)
}

// borderSides counts the sides of the face's surround that hold a long
// straight edge parallel to that side and outside the face.
func borderSides(frame gocv.Mat, box image.Rectangle) int {
	ctx := growRect(box, 2.6).Intersect(image.Rect(0, 0, frame.Cols(), frame.Rows()))
	scale := math.Min(1, 200/float64(ctx.Dx()))
	sub := frame.Region(ctx)
	bgr, small, edges, lines := gocv.NewMat(), gocv.NewMat(), gocv.NewMat(), gocv.NewMat()
	defer func() {
		for _, m := range []*gocv.Mat{&sub, &bgr, &small, &edges, &lines} {
			m.Close()
		}
	}()
	// Scale first, then convert: the grey conversion runs on 200 px, not
	// on the full-resolution surround.
	gocv.Resize(sub, &bgr, image.Pt(int(float64(ctx.Dx())*scale), int(float64(ctx.Dy())*scale)), 0, 0, gocv.InterpolationArea)
	gocv.CvtColor(bgr, &small, gocv.ColorBGRToGray)
	gocv.Canny(small, &edges, 50, 150)
	fb := image.Rect(int(float64(box.Min.X-ctx.Min.X)*scale), int(float64(box.Min.Y-ctx.Min.Y)*scale),
		int(float64(box.Max.X-ctx.Min.X)*scale), int(float64(box.Max.Y-ctx.Min.Y)*scale))
	minLen := 0.9 * float64(fb.Dy())
	gocv.HoughLinesPWithParams(edges, &lines, 1, math.Pi/180, 40, float32(minLen), 4)
	var sides [4]bool
	for i := 0; i < lines.Rows(); i++ {
		x0, y0 := int(lines.GetVeciAt(i, 0)[0]), int(lines.GetVeciAt(i, 0)[1])
		x1, y1 := int(lines.GetVeciAt(i, 0)[2]), int(lines.GetVeciAt(i, 0)[3])
		markSide(&sides, fb, x0, y0, x1, y1)
	}
	n := 0
	for _, s := range sides {
		if s {
			n++
		}
	}
	return n
}

// markSide records a line as a left/right (near vertical) or top/bottom
// (near horizontal) border when it lies wholly outside the face box.
func markSide(sides *[4]bool, fb image.Rectangle, x0, y0, x1, y1 int) {
	dx, dy := math.Abs(float64(x1-x0)), math.Abs(float64(y1-y0))
	switch {
	case dy > 4*dx && max(x0, x1) < fb.Min.X:
		sides[0] = true
	case dy > 4*dx && min(x0, x1) > fb.Max.X:
		sides[1] = true
	case dx > 4*dy && max(y0, y1) < fb.Min.Y:
		sides[2] = true
	case dx > 4*dy && min(y0, y1) > fb.Max.Y:
		sides[3] = true
	}
}
