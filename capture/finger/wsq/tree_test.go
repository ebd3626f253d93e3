package wsq

import (
	"math"
	"math/rand/v2"
	"testing"
)

// nbisBands257x301 is the subband layout NBIS 5.0 build_wsq_trees computes for
// a 257x301 image (odd in both axes, so every inversion rule matters).
var nbisBands257x301 = [codedBands]region{
	{0, 0, 9, 10}, {9, 0, 8, 10}, {0, 10, 9, 9}, {9, 10, 8, 9}, {17, 0, 16, 19}, {0, 19, 17, 19},
	{17, 19, 16, 19}, {33, 0, 16, 19}, {49, 0, 16, 19}, {33, 19, 16, 19}, {49, 19, 16, 19},
	{0, 38, 17, 19}, {17, 38, 16, 19}, {0, 57, 17, 19}, {17, 57, 16, 19}, {33, 38, 16, 19},
	{49, 38, 16, 19}, {33, 57, 16, 19}, {49, 57, 16, 19}, {65, 0, 16, 19}, {81, 0, 16, 19},
	{65, 19, 16, 19}, {81, 19, 16, 19}, {97, 0, 16, 19}, {113, 0, 16, 19}, {97, 19, 16, 19},
	{113, 19, 16, 19}, {65, 38, 16, 19}, {81, 38, 16, 19}, {65, 57, 16, 19}, {81, 57, 16, 19},
	{97, 38, 16, 19}, {113, 38, 16, 19}, {97, 57, 16, 19}, {113, 57, 16, 19}, {0, 76, 17, 19},
	{17, 76, 16, 19}, {0, 95, 17, 18}, {17, 95, 16, 18}, {33, 76, 16, 19}, {49, 76, 16, 19},
	{33, 95, 16, 18}, {49, 95, 16, 18}, {0, 113, 17, 19}, {17, 113, 16, 19}, {0, 132, 17, 19},
	{17, 132, 16, 19}, {33, 113, 16, 19}, {49, 113, 16, 19}, {33, 132, 16, 19}, {49, 132, 16, 19},
	{65, 76, 64, 75}, {129, 0, 64, 76}, {193, 0, 64, 76}, {129, 76, 64, 75}, {193, 76, 64, 75},
	{0, 151, 65, 75}, {65, 151, 64, 75}, {0, 226, 65, 75}, {65, 226, 64, 75},
}

func TestGeometryMatchesNBIS(t *testing.T) {
	g := newGeometry(257, 301)
	for k, want := range nbisBands257x301 {
		if g.bands[k] != want {
			t.Errorf("subband %d = %+v, NBIS has %+v", k, g.bands[k], want)
		}
	}
}

// TestGeometryTilesPlane checks for many sizes that the 64 subbands cover the
// plane exactly once.
func TestGeometryTilesPlane(t *testing.T) {
	for _, sz := range [][2]int{{128, 128}, {256, 288}, {388, 374}, {257, 301}, {333, 517}, {1, 1}, {2, 3}, {17, 5}} {
		w, h := sz[0], sz[1]
		g := newGeometry(w, h)
		seen := make([]int, w*h)
		for _, b := range g.bands {
			for y := b.y; y < b.y+b.h; y++ {
				for x := b.x; x < b.x+b.w; x++ {
					seen[y*w+x]++
				}
			}
		}
		for i, n := range seen {
			if n != 1 {
				t.Fatalf("%dx%d: pixel (%d,%d) covered %d times", w, h, i%w, i/w, n)
			}
		}
	}
}

// TestPerfectReconstruction: analysis followed by synthesis returns the
// input for every line length and both spectral orders.
func TestPerfectReconstruction(t *testing.T) {
	f := newFilterBank(stdLowpass, stdHighpass)
	rng := rand.New(rand.NewPCG(1, 2))
	for n := 1; n <= 40; n++ {
		for _, inv := range []bool{false, true} {
			src := make([]float32, n)
			for i := range src {
				src[i] = float32(rng.NormFloat64() * 50)
			}
			sub := make([]float32, n)
			f.analyze(sub, src, inv)
			got := make([]float32, n)
			f.synthesize(got, sub, inv)
			for i := range src {
				if math.Abs(float64(got[i]-src[i])) > 1e-3 {
					t.Fatalf("n=%d inv=%v: sample %d = %v, want %v", n, inv, i, got[i], src[i])
				}
			}
		}
	}
}

func TestPlaneRoundTrip(t *testing.T) {
	const w, h = 131, 140
	g := newGeometry(w, h)
	plane := make([]float32, w*h)
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range plane {
		plane[i] = float32(rng.IntN(256) - 128)
	}
	orig := append([]float32(nil), plane...)
	tr := newTransform(newFilterBank(stdLowpass, stdHighpass), w, h)
	tr.decompose(plane, g)
	tr.reconstruct(plane, g)
	var worst float64
	for i := range plane {
		worst = max(worst, math.Abs(float64(plane[i]-orig[i])))
	}
	if worst > 0.01 {
		t.Fatalf("max reconstruction error %v", worst)
	}
}

func TestReflect(t *testing.T) {
	cases := []struct {
		i, n        int
		left, right bool
		want        int
	}{
		{-1, 5, true, true, 1}, {5, 5, true, true, 3}, {-1, 5, false, true, 0},
		{5, 5, true, false, 4}, {-7, 3, true, true, 1}, {9, 1, false, false, 0},
		{2, 2, true, true, 0}, {-3, 2, false, false, 1},
	}
	for _, c := range cases {
		if got := reflect(c.i, c.n, c.left, c.right); got != c.want {
			t.Errorf("reflect(%d,%d,%v,%v) = %d, want %d", c.i, c.n, c.left, c.right, got, c.want)
		}
	}
}
