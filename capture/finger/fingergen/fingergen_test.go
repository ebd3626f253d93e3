package fingergen

import (
	"bytes"
	"math"
	"math/rand/v2"
	"sync"
	"testing"
)

// grown memoises fingers across tests: growing one is the expensive part,
// many times more so under the race detector.
var grown sync.Map

func cached(seed uint64, c Class) *Finger {
	type key struct {
		seed uint64
		c    Class
	}
	if f, ok := grown.Load(key{seed, c}); ok {
		return f.(*Finger)
	}
	f := NewClass(seed, c)
	grown.Store(key{seed, c}, f)
	return f
}

func TestDeterministic(t *testing.T) {
	f := New(5)
	a, b := f.Impression(2).Image.Pix, New(5).Impression(2).Image.Pix
	if !bytes.Equal(a, b) {
		t.Fatal("same seed and impression gave different images")
	}
	if bytes.Equal(a, f.Impression(3).Image.Pix) {
		t.Fatal("two impressions are identical")
	}
	if bytes.Equal(a, cached(31, RightLoop).Impression(2).Image.Pix) {
		t.Fatal("two fingers are identical")
	}
}

// TestSingularPoints counts the Poincaré index of the model orientation
// field around every grid cell: +½ at cores, −½ at deltas.
func TestSingularPoints(t *testing.T) {
	want := map[Class][2]int{Arch: {0, 0}, TentedArch: {1, 1}, LeftLoop: {1, 1}, RightLoop: {1, 1}, Whorl: {2, 2}}
	for c, w := range want {
		// The field alone: growing the ridges is not needed here.
		fl := newField(c, MasterWidth, MasterHeight, rand.New(rand.NewPCG(11, uint64(c))))
		cores, deltas := poincare(&Finger{field: fl})
		if cores != w[0] || deltas != w[1] {
			t.Errorf("%v: %d cores, %d deltas; want %d, %d", c, cores, deltas, w[0], w[1])
		}
	}
}

func poincare(f *Finger) (cores, deltas int) {
	const step = 6
	for y := step; y < MasterHeight-step; y += step {
		for x := step; x < MasterWidth-step; x += step {
			ring := [][2]int{{x, y}, {x + step, y}, {x + step, y + step}, {x, y + step}, {x, y}}
			var sum float64
			for i := 0; i+1 < len(ring); i++ {
				d := f.Orientation(ring[i+1][0], ring[i+1][1]) - f.Orientation(ring[i][0], ring[i][1])
				for d > math.Pi/2 {
					d -= math.Pi
				}
				for d < -math.Pi/2 {
					d += math.Pi
				}
				sum += d
			}
			switch idx := sum / (2 * math.Pi); {
			case idx > 0.4:
				cores++
			case idx < -0.4:
				deltas++
			}
		}
	}
	return cores, deltas
}

// blockOrientation estimates the ridge direction in a block with the
// gradient structure tensor; coherence is 1 for perfectly parallel ridges.
func blockOrientation(at func(x, y int) float64, x0, y0, size int) (theta, coherence float64) {
	var gxx, gyy, gxy float64
	for y := y0; y < y0+size; y++ {
		for x := x0; x < x0+size; x++ {
			gx := (at(x+1, y) - at(x-1, y)) / 2
			gy := (at(x, y+1) - at(x, y-1)) / 2
			gxx, gyy, gxy = gxx+gx*gx, gyy+gy*gy, gxy+gx*gy
		}
	}
	phi := math.Atan2(2*gxy, gxx-gyy) / 2
	coh := math.Hypot(gxx-gyy, 2*gxy) / (gxx + gyy + 1e-9)
	return wrapPi(phi + math.Pi/2), coh
}

func angleDiff(a, b float64) float64 {
	d := math.Mod(math.Abs(a-b), math.Pi)
	return math.Min(d, math.Pi-d)
}

// TestRidgesFollowField: the grown pattern's ridges run along the model
// field, with the model's period, away from the singular points.
func TestRidgesFollowField(t *testing.T) {
	for _, c := range []Class{Arch, LeftLoop, Whorl} {
		f := cached(21, c)
		at := func(x, y int) float64 { return float64(f.ridge(float64(x), float64(y))) }
		var errSum, periodErr float64
		n := 0
		for y := 40; y < MasterHeight-56; y += 16 {
			for x := 40; x < MasterWidth-56; x += 16 {
				if nearSingular(f, x+8, y+8, 24) {
					continue
				}
				theta, _ := blockOrientation(at, x, y, 16)
				model := f.Orientation(x+8, y+8)
				errSum += angleDiff(theta, model)
				periodErr += math.Abs(period(at, x+8, y+8, model)-f.Period) / f.Period
				n++
			}
		}
		mean := errSum / float64(n) * 180 / math.Pi
		if mean > 12 {
			t.Errorf("%v: ridges deviate %.1f° on average from the field", c, mean)
		}
		if pe := periodErr / float64(n); pe > 0.25 {
			t.Errorf("%v: ridge period off by %.0f%% on average", c, 100*pe)
		}
	}
}

func nearSingular(f *Finger, x, y int, r float64) bool {
	for _, p := range append(append([]Point(nil), f.Cores...), f.Deltas...) {
		if math.Hypot(float64(x)-p.X, float64(y)-p.Y) < r {
			return true
		}
	}
	return false
}

// period counts sign changes across the ridges over 48 pixels.
func period(at func(x, y int) float64, cx, cy int, theta float64) float64 {
	nx, ny := -math.Sin(theta), math.Cos(theta)
	changes, prev := 0, 0.0
	for i := -24; i <= 24; i++ {
		v := at(cx+int(math.Round(float64(i)*nx)), cy+int(math.Round(float64(i)*ny)))
		if i > -24 && (v > 0) != (prev > 0) {
			changes++
		}
		prev = v
	}
	return 2 * 48 / float64(max(changes, 1))
}

// TestGenuineImpostor: map one impression into another through their
// recorded rigid motions. Two impressions of one finger agree there, ridge
// for ridge (positive correlation despite distortion, pressure and noise)
// and in ridge direction; impressions of two fingers of the same class do
// not correlate.
func TestGenuineImpostor(t *testing.T) {
	a, b := cached(31, RightLoop), cached(32, RightLoop)
	ia, ib, ic := a.Impression(0), a.Impression(1), b.Impression(1)
	genuine, impostor := correlation(ia, ib), correlation(ia, ic)
	og, oi := orientationDistance(ia, ib), orientationDistance(ia, ic)
	t.Logf("aligned correlation: genuine %.2f, impostor %.2f; orientation difference: genuine %.1f°, impostor %.1f°", genuine, impostor, og, oi)
	if genuine < 0.3 || math.Abs(impostor) > 0.15 {
		t.Errorf("correlation genuine %.2f, impostor %.2f: want > 0.3 and about 0", genuine, impostor)
	}
	if og >= oi {
		t.Errorf("orientation: genuine pair differs more (%.1f°) than the impostor pair (%.1f°)", og, oi)
	}
}

// toOther maps output pixel (x, y) of p to the output of q.
func toOther(p, q *Impression, x, y float64) (float64, float64) {
	cx, cy := float64(MasterWidth)/2, float64(MasterHeight)/2
	ux, uy := x-cx-p.DX, y-cy-p.DY
	c, s := math.Cos(p.Rotation), math.Sin(p.Rotation)
	mx, my := c*ux+s*uy, -s*ux+c*uy
	c, s = math.Cos(q.Rotation), math.Sin(q.Rotation)
	return c*mx - s*my + cx + q.DX, s*mx + c*my + cy + q.DY
}

// correlation is the normalised cross-correlation of p's central region
// with the corresponding pixels of q.
func correlation(p, q *Impression) float64 {
	var sp, sq, spp, sqq, spq, n float64
	for y := MasterHeight/2 - 60; y < MasterHeight/2+60; y++ {
		for x := MasterWidth/2 - 60; x < MasterWidth/2+60; x++ {
			qx, qy := toOther(p, q, float64(x), float64(y))
			a := float64(p.Image.Pix[y*p.Image.Stride+x])
			b := float64(bilinear(q.Image, qx, qy))
			sp, sq, spp, sqq, spq, n = sp+a, sq+b, spp+a*a, sqq+b*b, spq+a*b, n+1
		}
	}
	cov := spq/n - sp/n*sq/n
	return cov / math.Sqrt((spp/n-sp*sp/n/n)*(sqq/n-sq*sq/n/n))
}

// orientationDistance is the mean ridge-direction difference between
// coherent blocks of p and the corresponding points of q, in degrees.
func orientationDistance(p, q *Impression) float64 {
	atP := grayAt(p)
	atQ := grayAt(q)
	var sum float64
	n := 0
	for y := 60; y < MasterHeight-80; y += 16 {
		for x := 60; x < MasterWidth-80; x += 16 {
			tp, cp := blockOrientation(atP, x, y, 16)
			qx, qy := toOther(p, q, float64(x+8), float64(y+8))
			if cp < 0.5 || qx < 30 || qy < 30 || qx > MasterWidth-46 || qy > MasterHeight-46 {
				continue
			}
			tq, cq := blockOrientation(atQ, int(qx)-8, int(qy)-8, 16)
			if cq < 0.5 {
				continue
			}
			sum += angleDiff(tp-p.Rotation, tq-q.Rotation)
			n++
		}
	}
	return sum / float64(max(n, 1)) * 180 / math.Pi
}

func grayAt(im *Impression) func(x, y int) float64 {
	return func(x, y int) float64 {
		x = min(max(x, 0), MasterWidth-1)
		y = min(max(y, 0), MasterHeight-1)
		return float64(im.Image.Pix[y*im.Image.Stride+x])
	}
}

func TestRender(t *testing.T) {
	im := cached(21, Arch).Impression(0).Image
	out := Render(im, 256, 288, 500)
	if len(out) != 256*288 {
		t.Fatalf("%d bytes", len(out))
	}
	// At 500 ppi Render is a centred crop: pixels match the source exactly.
	x0, y0 := (MasterWidth-256)/2, (MasterHeight-288)/2
	for _, p := range [][2]int{{0, 0}, {100, 150}, {255, 287}} {
		if got, want := out[p[1]*256+p[0]], im.Pix[(p[1]+y0)*im.Stride+p[0]+x0]; got != want {
			t.Fatalf("pixel %v = %d, want %d", p, got, want)
		}
	}
	small := Resample(im, 160, 190)
	if len(small) != 160*190 {
		t.Fatalf("resample gave %d bytes", len(small))
	}
}

func BenchmarkNew(b *testing.B) {
	for i := 0; b.Loop(); i++ {
		New(uint64(i))
	}
}
