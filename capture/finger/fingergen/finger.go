package fingergen

import (
	"math/rand/v2"
)

// Master size in pixels at 500 ppi: 16.3 x 19.3 mm, larger than any
// supported sensor window so impressions can move around in it.
const (
	MasterWidth  = 320
	MasterHeight = 380
	PPI          = 500
)

// Finger is one synthetic finger: its class, singular points, ridge period
// and master ridge pattern. It is immutable and safe for concurrent use.
type Finger struct {
	Seed   uint64
	Class  Class
	Cores  []Point
	Deltas []Point
	Period float64 // mean ridge period, pixels

	field  *field
	master []float32
}

// New grows the finger of a seed (about a third of a second).
func New(seed uint64) *Finger {
	rng := rand.New(rand.NewPCG(seed, 0xF1A9E2))
	class := pickClass(rng)
	return NewClass(seed, class)
}

// NewClass grows the finger of a seed with a given class.
func NewClass(seed uint64, class Class) *Finger {
	rng := rand.New(rand.NewPCG(seed, uint64(class)+0x5EED))
	f := newField(class, MasterWidth, MasterHeight, rng)
	base := 8.3 + rng.Float64()*1.8
	pn := newSmoothNoise(rng, 3, 4)
	period := make([]float32, MasterWidth*MasterHeight)
	for y := range MasterHeight {
		for x := range MasterWidth {
			period[y*MasterWidth+x] = float32(base + 0.7*pn.at(float64(x)/MasterWidth, float64(y)/MasterHeight))
		}
	}
	return &Finger{
		Seed: seed, Class: class, Cores: f.cores, Deltas: f.deltas, Period: base,
		field: f, master: grow(f, period, rng),
	}
}

// Orientation returns the model ridge direction at a master pixel, radians
// in [0, π), 0 meaning horizontal ridges.
func (f *Finger) Orientation(x, y int) float64 {
	x = min(max(x, 0), MasterWidth-1)
	y = min(max(y, 0), MasterHeight-1)
	return float64(f.field.theta[y*MasterWidth+x])
}

// ridge samples the master pattern bilinearly; outside it is 0 (no ridge).
func (f *Finger) ridge(x, y float64) float32 {
	if x < 0 || y < 0 || x >= MasterWidth-1 || y >= MasterHeight-1 {
		return -1
	}
	x0, y0 := int(x), int(y)
	fx, fy := float32(x-float64(x0)), float32(y-float64(y0))
	i := y0*MasterWidth + x0
	m := f.master
	top := m[i]*(1-fx) + m[i+1]*fx
	bot := m[i+MasterWidth]*(1-fx) + m[i+MasterWidth+1]*fx
	return top*(1-fy) + bot*fy
}
