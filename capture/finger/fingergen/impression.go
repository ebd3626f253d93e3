package fingergen

import (
	"image"
	"math"
	"math/rand/v2"
)

// Impression is one touch of a finger on a sensor, with the parameters it
// was taken with so evaluations can reason about genuine pairs.
type Impression struct {
	Index    int
	Rotation float64 // radians, counter-clockwise on screen
	DX, DY   float64 // translation of the finger, pixels
	Pressure float64 // -1 light (thin ridges, small area) .. 1 heavy (thick, large)
	Dryness  float64 // 0 (clean) .. 1 (many broken ridges)
	// Image is MasterWidth x MasterHeight at 500 ppi, dark ridges on light.
	Image *image.Gray
}

// distortion is the elastic part of an impression: a smooth displacement
// that is small where the finger first touches and grows outward (skin
// stretching under lateral force, after Cappelli et al.).
type distortion struct {
	nx, ny *smoothNoise
	cx, cy float64 // contact centre
	inner  float64 // radius of the undistorted core region
	amp    float64 // displacement at the rim, pixels
}

func (d *distortion) at(x, y float64) (float64, float64) {
	r := math.Hypot(x-d.cx, y-d.cy)
	k := 0.25 + 0.75*math.Min(math.Max((r-d.inner)/(MasterWidth*0.45-d.inner), 0), 1)
	u, v := x/MasterWidth, y/MasterHeight
	return d.amp * k * d.nx.at(u, v), d.amp * k * d.ny.at(u, v)
}

// Impression renders impression n of the finger.
func (f *Finger) Impression(n int) *Impression {
	rng := rand.New(rand.NewPCG(f.Seed, 0x1A7E+uint64(n)))
	s := func(a float64) float64 { return (rng.Float64()*2 - 1) * a }
	im := &Impression{
		Index: n, Rotation: s(12 * math.Pi / 180), DX: s(18), DY: s(18),
		Pressure: s(0.8), Dryness: math.Pow(rng.Float64(), 2),
	}
	d := &distortion{
		nx: newSmoothNoise(rng, 3, 3), ny: newSmoothNoise(rng, 3, 3),
		cx: MasterWidth/2 + im.DX, cy: MasterHeight*0.45 + im.DY,
		inner: 40, amp: 3 + rng.Float64()*3,
	}
	im.Image = f.render(im, d, rng)
	return im
}

// render draws the impression pixel by pixel: map back into the master
// through the rigid motion and the distortion, turn the ridge value into
// ink according to pressure and dryness, clip to the contact ellipse, add
// sensor noise.
func (f *Finger) render(im *Impression, d *distortion, rng *rand.Rand) *image.Gray {
	out := image.NewGray(image.Rect(0, 0, MasterWidth, MasterHeight))
	cos, sin := math.Cos(im.Rotation), math.Sin(im.Rotation)
	cx, cy := float64(MasterWidth)/2, float64(MasterHeight)/2
	ax := MasterWidth * (0.36 + 0.05*im.Pressure + (rng.Float64()-0.5)*0.04)
	ay := MasterHeight * (0.40 + 0.05*im.Pressure + (rng.Float64()-0.5)*0.04)
	pores := newSmoothNoise(rng, 40, 48)
	bg, ink := 205+rng.Float64()*30, 130+rng.Float64()*50
	for y := range MasterHeight {
		for x := range MasterWidth {
			px, py := float64(x), float64(y)
			ddx, ddy := d.at(px, py)
			// Inverse rigid motion: output pixel -> finger coordinates.
			ux, uy := px-cx-im.DX+ddx, py-cy-im.DY+ddy
			mx, my := cos*ux+sin*uy+cx, -sin*ux+cos*uy+cy
			contact := ellipse((px-d.cx)/ax, (py-d.cy)/ay)
			v := float64(f.ridge(mx, my))
			amount := sigmoid((v+0.35*im.Pressure)*4) * contact
			if im.Dryness > 0 && pores.at(px/MasterWidth, py/MasterHeight) > 1-im.Dryness*0.6 {
				amount *= 0.4
			}
			g := bg - ink*amount + rng.NormFloat64()*6
			out.Pix[y*out.Stride+x] = uint8(math.Min(math.Max(g, 0), 255))
		}
	}
	return out
}

// ellipse is 1 inside the unit ellipse, fading to 0 over its rim.
func ellipse(u, v float64) float64 {
	r := math.Sqrt(u*u + v*v)
	return 1 - smooth(math.Min(math.Max((r-0.9)/0.15, 0), 1))
}

func sigmoid(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

// Render crops and resamples a 500 ppi image to a w×h sensor window at
// ppi, centred, with the background colour outside the source. For the
// R307/AS608/ZFM-20 use (256, 288, 500); for the R503 (192, 192, 508).
func Render(src *image.Gray, w, h int, ppi float64) []byte {
	scale := PPI / ppi
	b := src.Bounds()
	sx0 := float64(b.Dx())/2 - float64(w)/2*scale
	sy0 := float64(b.Dy())/2 - float64(h)/2*scale
	dst := make([]byte, w*h)
	for y := range h {
		for x := range w {
			dst[y*w+x] = bilinear(src, sx0+float64(x)*scale, sy0+float64(y)*scale)
		}
	}
	return dst
}

// Resample scales src to exactly w×h, preserving the aspect ratio by
// cropping the longer side (cover), averaging over each destination
// pixel's footprint when shrinking. For images from files.
func Resample(src *image.Gray, w, h int) []byte {
	b := src.Bounds()
	scale := math.Min(float64(b.Dx())/float64(w), float64(b.Dy())/float64(h))
	sx0 := float64(b.Min.X) + (float64(b.Dx())-float64(w)*scale)/2
	sy0 := float64(b.Min.Y) + (float64(b.Dy())-float64(h)*scale)/2
	dst := make([]byte, w*h)
	n := max(1, int(math.Ceil(scale)))
	for y := range h {
		for x := range w {
			var sum float64
			for j := range n {
				for i := range n {
					fx := sx0 + (float64(x)+(float64(i)+0.5)/float64(n))*scale - 0.5
					fy := sy0 + (float64(y)+(float64(j)+0.5)/float64(n))*scale - 0.5
					sum += float64(bilinear(src, fx, fy))
				}
			}
			dst[y*w+x] = uint8(sum/float64(n*n) + 0.5)
		}
	}
	return dst
}

// bilinear samples src at (x, y) in its own coordinates, clamping to edges.
func bilinear(src *image.Gray, x, y float64) uint8 {
	b := src.Bounds()
	x = math.Min(math.Max(x-float64(b.Min.X), 0), float64(b.Dx()-1))
	y = math.Min(math.Max(y-float64(b.Min.Y), 0), float64(b.Dy()-1))
	x0, y0 := int(x), int(y)
	x1, y1 := min(x0+1, b.Dx()-1), min(y0+1, b.Dy()-1)
	fx, fy := x-float64(x0), y-float64(y0)
	p := func(xx, yy int) float64 { return float64(src.Pix[yy*src.Stride+xx]) }
	top := p(x0, y0)*(1-fx) + p(x1, y0)*fx
	bot := p(x0, y1)*(1-fx) + p(x1, y1)*fx
	return uint8(top*(1-fy) + bot*fy + 0.5)
}
