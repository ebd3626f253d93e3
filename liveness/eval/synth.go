package eval

import (
	"context"
	"image"
	"image/color"
	"io"
	"math"
	"math/rand/v2"

	"github.com/ventanilla-mx/ventanilla/drivers/camera"
	"gocv.io/x/gocv"
)

// synth renders attack frames from a source camera, in memory.
type synth struct {
	kind  string
	rng   *rand.Rand
	src   camera.Camera
	still gocv.Mat // plane and print: the first frame, held
	bg    gocv.Mat // print and replay: the static room behind the medium
	size  image.Point

	noise []gocv.Mat // seeded noise fields, cycled per frame

	haveStill, haveBg bool

	stand standState // replay_stand: the source frame on screen
	mask  *maskState // mask_cutout: the cut-out print and where it is
}

func newSynth(s *Synth, src camera.Camera) *synth {
	f := src.Format()
	return &synth{kind: s.Kind, rng: rand.New(rand.NewPCG(uint64(s.Seed), 0x5eed)), src: src, size: image.Pt(f.Width, f.Height)}
}

func (s *synth) close() {
	if s.haveStill {
		camera.Wipe(&s.still)
		s.still.Close()
	}
	if s.haveBg {
		s.bg.Close()
	}
	for i := range s.noise {
		s.noise[i].Close()
	}
	s.noise = nil
	s.haveStill, s.haveBg = false, false
	s.stand.close()
	if s.mask != nil {
		s.mask.close()
		s.mask = nil
	}
}

// generator adapts the synth to camera.Generator.
func (s *synth) generator(ctx context.Context) camera.Generator {
	return func(i int, dst *gocv.Mat) error {
		return s.frame(ctx, i, dst)
	}
}

func (s *synth) frame(ctx context.Context, i int, dst *gocv.Mat) error {
	if !s.haveBg {
		s.bg, s.haveBg = room(s.size, s.rng), true
	}
	switch s.kind {
	case "replay_stand", "replay_stand_sync":
		return s.standFrame(ctx, i, dst)
	case "mask_cutout":
		return s.maskFrame(ctx, i, dst)
	}
	replay := s.kind == "replay" || s.kind == "replay_full" || s.kind == "replay_clean"
	if replay || !s.haveStill {
		f, err := s.src.Next(ctx)
		if err != nil {
			return err
		}
		defer f.Release()
		if !replay {
			s.still, s.haveStill = f.Mat.Clone(), true
		} else {
			return s.render(f.Mat, i, dst)
		}
	} else if i >= stillFrames {
		return io.EOF
	}
	return s.render(s.still, i, dst)
}

// stillFrames is how long a still-based attack lasts (16 s at 25 fps),
// longer than any challenge sequence's timeouts.
const stillFrames = 400

func (s *synth) render(content gocv.Mat, i int, dst *gocv.Mat) error {
	t := float64(i) / 25
	var out gocv.Mat
	switch s.kind {
	case "plane":
		out = warpPlane(content, s.size, t, 1.0, nil)
	case "print":
		paper := printed(content, s.rng)
		out = warpPlane(paper, s.size, t, 0.6, &s.bg)
		paper.Close()
	case "print_noedge":
		paper := printed(content, s.rng)
		out = warpPlane(paper, s.size, t, 1.35, &s.bg)
		paper.Close()
	case "print_curved":
		paper := printed(content, s.rng)
		out = warpCurved(paper, s.size, t, 0.9, 0.25, &s.bg)
		paper.Close()
	case "replay_clean":
		screen := screenedClean(content)
		out = warpPlane(screen, s.size, t, 0.9, &s.bg)
		screen.Close()
	case "replay_full":
		screen := screened(content)
		out = warpPlane(screen, s.size, t*0.3, 1.5, &s.bg)
		screen.Close()
	default:
		screen := screened(content)
		out = warpPlane(screen, s.size, t*0.3, 0.9, &s.bg)
		screen.Close()
	}
	return s.emit(&out, i, dst)
}

// emit adds the camera's noise to a rendered frame, hands it over and
// wipes it.
func (s *synth) emit(out *gocv.Mat, i int, dst *gocv.Mat) error {
	s.addNoise(out, i, 2)
	out.CopyTo(dst)
	camera.Wipe(out)
	out.Close()
	return nil
}

// warpPlane maps a flat medium into the frame as a plane that turns about
// its vertical axis (up to about 20 degrees), sways and approaches, the way
// a hand holds a photo or a phone. scale is the medium's width as a fraction
// of the frame's; bg (when not nil) is what surrounds it.
func warpPlane(m gocv.Mat, size image.Point, t, scale float64, bg *gocv.Mat) gocv.Mat {
	w := float64(m.Cols())
	fw, fh := float64(size.X), float64(size.Y)
	yaw := 0.35 * math.Sin(2*math.Pi*t/3)
	s := scale * fw / w * (1 + 0.15*math.Sin(2*math.Pi*t/5))
	cx, cy := fw/2+0.06*fw*math.Sin(2*math.Pi*t/4), fh/2+0.04*fh*math.Cos(2*math.Pi*t/3.5)
	return placePlane(m, size, yaw, s, cx, cy, bg)
}

// placePlane maps a flat medium into the frame turned by yaw radians about
// its vertical axis, s frame pixels per medium pixel, centred at (cx, cy);
// bg (when not nil) is what surrounds it, else its edges are replicated.
func placePlane(m gocv.Mat, size image.Point, yaw, s, cx, cy float64, bg *gocv.Mat) gocv.Mat {
	w, h := float64(m.Cols()), float64(m.Rows())
	const f = 2.0 // focal length in medium widths: perspective strength
	var dst []gocv.Point2f
	for _, c := range [][2]float64{{-1, -1}, {1, -1}, {1, 1}, {-1, 1}} {
		x, y := c[0]*w/2, c[1]*h/2
		z := f*w + x*math.Sin(yaw)
		px := x * math.Cos(yaw) * f * w / z
		py := y * f * w / z
		dst = append(dst, gocv.Point2f{X: float32(cx + s*px), Y: float32(cy + s*py)})
	}
	src := []gocv.Point2f{{X: 0, Y: 0}, {X: float32(w), Y: 0}, {X: float32(w), Y: float32(h)}, {X: 0, Y: float32(h)}}
	sv, dv := gocv.NewPoint2fVectorFromPoints(src), gocv.NewPoint2fVectorFromPoints(dst)
	defer sv.Close()
	defer dv.Close()
	H := gocv.GetPerspectiveTransform2f(sv, dv)
	defer H.Close()
	out := gocv.NewMat()
	if bg == nil {
		gocv.WarpPerspectiveWithParams(m, &out, H, size, gocv.InterpolationLinear, gocv.BorderReplicate, color.RGBA{})
		return out
	}
	bg.CopyTo(&out)
	gocv.WarpPerspectiveWithParams(m, &out, H, size, gocv.InterpolationLinear, gocv.BorderTransparent, color.RGBA{})
	return out
}

// warpCurved maps a medium bent about its vertical axis (a sheet held by
// its sides: depth bend*w at the edges, a parabola) into the frame, as
// vertical strips each warped by its own homography, with the same hand
// motion as warpPlane.
func warpCurved(m gocv.Mat, size image.Point, t, scale, bend float64, bg *gocv.Mat) gocv.Mat {
	w, h := float64(m.Cols()), float64(m.Rows())
	fw, fh := float64(size.X), float64(size.Y)
	yaw := 0.35 * math.Sin(2*math.Pi*t/3)
	s := scale * fw / w * (1 + 0.15*math.Sin(2*math.Pi*t/5))
	cx, cy := fw/2+0.06*fw*math.Sin(2*math.Pi*t/4), fh/2+0.04*fh*math.Cos(2*math.Pi*t/3.5)
	const f = 2.0
	proj := func(u, v float64) gocv.Point2f {
		x, y := u-w/2, v-h/2
		z0 := bend * w * (2 * x / w) * (2 * x / w)
		xr := x*math.Cos(yaw) - z0*math.Sin(yaw)
		z := f*w + x*math.Sin(yaw) + z0*math.Cos(yaw)
		return gocv.Point2f{X: float32(cx + s*xr*f*w/z), Y: float32(cy + s*y*f*w/z)}
	}
	out := gocv.NewMat()
	bg.CopyTo(&out)
	const strips = 8
	for k := 0; k < strips; k++ {
		u0, u1 := w*float64(k)/strips, w*float64(k+1)/strips
		src := []gocv.Point2f{{X: float32(u0), Y: 0}, {X: float32(u1), Y: 0}, {X: float32(u1), Y: float32(h)}, {X: float32(u0), Y: float32(h)}}
		dst := []gocv.Point2f{proj(u0, 0), proj(u1, 0), proj(u1, h), proj(u0, h)}
		sv, dv := gocv.NewPoint2fVectorFromPoints(src), gocv.NewPoint2fVectorFromPoints(dst)
		H := gocv.GetPerspectiveTransform2f(sv, dv)
		// Warp the strip alone (the rest transparent) so strips do not
		// overwrite each other with border pixels.
		strip := gocv.NewMatWithSize(m.Rows(), m.Cols(), m.Type())
		mask := gocv.Zeros(m.Rows(), m.Cols(), gocv.MatTypeCV8U)
		r := image.Rect(int(u0), 0, min(int(math.Ceil(u1))+1, m.Cols()), m.Rows())
		wide := image.Rect(max(r.Min.X-3, 0), 0, min(r.Max.X+3, m.Cols()), m.Rows())
		sub, msub := m.Region(wide), mask.Region(r)
		ss := strip.Region(wide)
		sub.CopyTo(&ss)
		msub.SetTo(gocv.NewScalar(255, 0, 0, 0))
		ws, wm := gocv.NewMat(), gocv.NewMat()
		gocv.WarpPerspective(strip, &ws, H, size)
		gocv.WarpPerspectiveWithParams(mask, &wm, H, size, gocv.InterpolationNearestNeighbor, gocv.BorderConstant, color.RGBA{})
		ws.CopyToWithMask(&out, wm)
		camera.Wipe(&strip)
		camera.Wipe(&ws)
		for _, x := range []*gocv.Mat{&sub, &msub, &ss, &strip, &mask, &ws, &wm, &H} {
			x.Close()
		}
		sv.Close()
		dv.Close()
	}
	return out
}

// printed makes a photo print: desaturated, halftone dots, paper grain and
// a white margin.
func printed(m gocv.Mat, rng *rand.Rand) gocv.Mat {
	p := printTexture(m, rng)
	margin := p.Cols() / 14
	out := gocv.NewMat()
	gocv.CopyMakeBorder(p, &out, margin, margin, margin, margin, gocv.BorderConstant, color.RGBA{R: 235, G: 235, B: 230})
	camera.Wipe(&p)
	p.Close()
	return out
}

// printTexture is the print's ink on paper without the margin:
// desaturated, halftone dots and paper grain.
func printTexture(m gocv.Mat, rng *rand.Rand) gocv.Mat {
	grey, grey3 := gocv.NewMat(), gocv.NewMat()
	defer grey.Close()
	defer grey3.Close()
	gocv.CvtColor(m, &grey, gocv.ColorBGRToGray)
	gocv.CvtColor(grey, &grey3, gocv.ColorGrayToBGR)
	p := gocv.NewMat()
	gocv.AddWeighted(m, 0.7, grey3, 0.3, 0, &p)
	v, _ := p.DataPtrUint8()
	cols := p.Cols()
	for i := 0; i+2 < len(v); i += 3 {
		x, y := (i/3)%cols, (i/3)/cols
		dot := 0.88 + 0.12*math.Abs(math.Sin(float64(x)*math.Pi/2.5)*math.Sin(float64(y)*math.Pi/2.5))
		grain := 1 + 0.05*rng.NormFloat64()
		for c := 0; c < 3; c++ {
			v[i+c] = clamp8(float64(v[i+c])*dot*grain + 12)
		}
	}
	return p
}

// screened makes a phone screen: an RGB sub-pixel grid (which the camera
// aliases into moiré), a cooler white point and a black bezel.
func screened(m gocv.Mat) gocv.Mat {
	big := gocv.NewMat()
	gocv.Resize(m, &big, image.Pt(m.Cols()*3/2, m.Rows()*3/2), 0, 0, gocv.InterpolationLinear)
	v, _ := big.DataPtrUint8()
	cols := big.Cols()
	for i := 0; i+2 < len(v); i += 3 {
		x, y := (i/3)%cols, (i/3)/cols
		sub := x % 3 // which sub-pixel column lights: B, G, R order in memory
		for c := 0; c < 3; c++ {
			g := 0.55
			if c == 2-sub {
				g = 1.15
			}
			if y%3 == 2 {
				g *= 0.6
			}
			tint := []float64{1.08, 1.0, 0.92}[c]
			v[i+c] = clamp8(float64(v[i+c]) * g * tint)
		}
	}
	out := gocv.NewMat()
	b := big.Cols() / 12
	gocv.CopyMakeBorder(big, &out, b*2, b*2, b, b, gocv.BorderConstant, color.RGBA{R: 12, G: 12, B: 14})
	camera.Wipe(&big)
	big.Close()
	return out
}

// screenedClean is content on a high-density screen whose pixel grid the
// camera cannot resolve (no moiré): a slightly cooler white and a bezel,
// nothing else. Only the motion of the hand-held screen can give it away.
func screenedClean(m gocv.Mat) gocv.Mat {
	cool := gocv.NewMat()
	m.CopyTo(&cool)
	v, _ := cool.DataPtrUint8()
	for i := 0; i+2 < len(v); i += 3 {
		for c, tint := range []float64{1.05, 1.0, 0.95} {
			v[i+c] = clamp8(float64(v[i+c]) * tint)
		}
	}
	out := gocv.NewMat()
	b := cool.Cols() / 12
	gocv.CopyMakeBorder(cool, &out, b*2, b*2, b, b, gocv.BorderConstant, color.RGBA{R: 12, G: 12, B: 14})
	camera.Wipe(&cool)
	cool.Close()
	return out
}

// room is a static background: a lit wall with a few objects.
func room(size image.Point, rng *rand.Rand) gocv.Mat {
	m := gocv.NewMatWithSize(size.Y, size.X, gocv.MatTypeCV8UC3)
	m.SetTo(gocv.NewScalar(150+rng.Float64()*40, 160+rng.Float64()*40, 170+rng.Float64()*40, 0))
	for k := 0; k < 6; k++ {
		x, y := rng.IntN(size.X), rng.IntN(size.Y)
		r := image.Rect(x, y, x+20+rng.IntN(size.X/4), y+20+rng.IntN(size.Y/4))
		c := color.RGBA{R: uint8(rng.IntN(255)), G: uint8(rng.IntN(255)), B: uint8(rng.IntN(255))}
		gocv.Rectangle(&m, r, c, -1)
	}
	gocv.GaussianBlur(m, &m, image.Pt(0, 0), 2, 2, gocv.BorderDefault)
	return m
}

// addNoise adds sensor noise from a few fields drawn from the item's seed
// (OpenCV's own generator is shared process state, which made the items'
// verdicts change between runs).
func (s *synth) addNoise(m *gocv.Mat, i int, sigma float64) {
	const fields = 4
	if len(s.noise) == 0 {
		for k := 0; k < fields; k++ {
			n := gocv.NewMatWithSize(m.Rows(), m.Cols(), gocv.MatTypeCV8UC3)
			v, _ := n.DataPtrUint8()
			for j := range v {
				v[j] = clamp8(sigma + sigma*s.rng.NormFloat64())
			}
			s.noise = append(s.noise, n)
		}
	}
	n := s.noise[i%fields]
	if n.Rows() != m.Rows() || n.Cols() != m.Cols() {
		return
	}
	gocv.Add(*m, n, m)
	m.SubtractUChar(uint8(sigma))
}

func clamp8(v float64) uint8 { return uint8(math.Max(0, math.Min(255, v))) }
