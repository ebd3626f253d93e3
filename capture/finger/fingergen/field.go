package fingergen

import (
	"math"
	"math/rand/v2"
)

// Class is the Henry class of a finger: it fixes its singular points.
type Class int

const (
	Arch Class = iota
	TentedArch
	LeftLoop
	RightLoop
	Whorl
)

var classNames = [...]string{"arch", "tented-arch", "left-loop", "right-loop", "whorl"}

func (c Class) String() string { return classNames[c] }

// pickClass draws a class with the frequencies seen in large collections
// (Wilson et al.): arch 3.7%, tented arch 2.9%, left loop 33.8%, right loop
// 31.7%, whorl 27.9%.
func pickClass(rng *rand.Rand) Class {
	r := rng.Float64()
	for c, p := range []float64{0.037, 0.029, 0.338, 0.317, 0.279} {
		if r < p {
			return Class(c)
		}
		r -= p
	}
	return Whorl
}

// Point is a position in master pixels.
type Point struct{ X, Y float64 }

// singular places the cores and deltas of class c in a w×h master, with
// some per-finger jitter.
func singular(c Class, w, h float64, rng *rand.Rand) (cores, deltas []Point) {
	j := func(s float64) float64 { return (rng.Float64()*2 - 1) * s }
	cx, cy := w*(0.5+j(0.05)), h*(0.42+j(0.05))
	switch c {
	case TentedArch:
		return []Point{{cx, cy}}, []Point{{cx + j(4), cy + h*(0.2+j(0.03))}}
	case LeftLoop:
		return []Point{{cx, cy}}, []Point{{cx + w*(0.22+j(0.04)), cy + h*(0.3+j(0.04))}}
	case RightLoop:
		return []Point{{cx, cy}}, []Point{{cx - w*(0.22+j(0.04)), cy + h*(0.3+j(0.04))}}
	case Whorl:
		d := h * (0.06 + j(0.02))
		return []Point{{cx + j(5), cy - d}, {cx + j(5), cy + d}},
			[]Point{{cx - w*(0.28+j(0.04)), cy + h*(0.3+j(0.04))}, {cx + w*(0.28+j(0.04)), cy + h*(0.3+j(0.04))}}
	}
	return nil, nil
}

// field is an orientation field: the ridge direction at every pixel, in
// radians modulo π (0 = horizontal ridges).
type field struct {
	w, h   int
	theta  []float32
	cores  []Point
	deltas []Point
}

// newField builds the field of class c with the zero-pole model (Sherlock
// and Monro): θ(z) = ½(Σ arg(z−core) − Σ arg(z−delta)), which is 0 far from
// the singular points, so ridges run across the finger there; arches use a
// smooth bump instead. A low-frequency perturbation keeps fingers of one
// class apart.
func newField(c Class, w, h int, rng *rand.Rand) *field {
	f := &field{w: w, h: h, theta: make([]float32, w*h)}
	f.cores, f.deltas = singular(c, float64(w), float64(h), rng)
	wobble := newSmoothNoise(rng, 4, 5)
	bump := 0.18 + rng.Float64()*0.12
	for y := range h {
		for x := range w {
			var t float64
			if c == Arch {
				t = archAngle(float64(x)/float64(w), float64(y)/float64(h), bump)
			} else {
				t = f.zeroPole(float64(x), float64(y))
			}
			t += 0.12 * wobble.at(float64(x)/float64(w), float64(y)/float64(h))
			f.theta[y*w+x] = float32(wrapPi(t))
		}
	}
	return f
}

func (f *field) zeroPole(x, y float64) float64 {
	var t float64
	for _, c := range f.cores {
		t += math.Atan2(y-c.Y, x-c.X)
	}
	for _, d := range f.deltas {
		t -= math.Atan2(y-d.Y, x-d.X)
	}
	return t / 2
}

// archAngle is the slope of ridges shaped like y = y0 − a·exp(−8(x−½)²),
// higher in the upper part of the finger.
func archAngle(nx, ny, a float64) float64 {
	dx := nx - 0.5
	amp := a * (1.1 - ny)
	return math.Atan(16 * dx * amp * math.Exp(-8*dx*dx) * 1.2)
}

func wrapPi(t float64) float64 {
	t = math.Mod(t, math.Pi)
	if t < 0 {
		t += math.Pi
	}
	return t
}

// smoothNoise is value noise on a coarse grid with smooth interpolation:
// deterministic, band-limited, in [-1, 1].
type smoothNoise struct {
	gw, gh int
	v      []float64
}

func newSmoothNoise(rng *rand.Rand, gw, gh int) *smoothNoise {
	n := &smoothNoise{gw: gw, gh: gh, v: make([]float64, (gw+1)*(gh+1))}
	for i := range n.v {
		n.v[i] = rng.Float64()*2 - 1
	}
	return n
}

// at samples the noise at normalised coordinates (0..1).
func (n *smoothNoise) at(u, v float64) float64 {
	gx := math.Min(math.Max(u, 0), 1) * float64(n.gw)
	gy := math.Min(math.Max(v, 0), 1) * float64(n.gh)
	x0, y0 := min(int(gx), n.gw-1), min(int(gy), n.gh-1)
	fx, fy := smooth(gx-float64(x0)), smooth(gy-float64(y0))
	g := func(x, y int) float64 { return n.v[y*(n.gw+1)+x] }
	top := g(x0, y0)*(1-fx) + g(x0+1, y0)*fx
	bot := g(x0, y0+1)*(1-fx) + g(x0+1, y0+1)*fx
	return top*(1-fy) + bot*fy
}

func smooth(t float64) float64 { return t * t * (3 - 2*t) }
