package tfjs

import (
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func randomSlice(r *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = r.Float32()*2 - 1
	}
	return s
}

// naiveGEMM is the textbook triple loop in float64: the oracle for both
// GEMM kernels.
func naiveGEMM(m, k, n int, a, b, c []float32) []float64 {
	out := make([]float64, m*n)
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			s := float64(c[i*n+j])
			for p := 0; p < k; p++ {
				s += float64(a[i*k+p]) * float64(b[p*n+j])
			}
			out[i*n+j] = s
		}
	}
	return out
}

// TestGEMMMatchesNaive checks the reference and the fast GEMM on shapes
// that exercise every tail (odd rows, k not a multiple of 4, n not a
// multiple of the vector width) against the naive product.
func TestGEMMMatchesNaive(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, s := range [][3]int{{1, 1, 1}, {1, 288, 1404}, {3, 5, 7}, {33, 27, 16}, {32, 64, 128}, {17, 129, 266}, {64, 16, 15}, {5, 9, 24}} {
		m, k, n := s[0], s[1], s[2]
		a, b, c := randomSlice(r, m*k), randomSlice(r, k*n), randomSlice(r, m*n)
		want := naiveGEMM(m, k, n, a, b, c)
		for name, f := range map[string]func(m, k, n int, a, b, c []float32){"reference": gemm, "fast": gemmFast} {
			got := slices.Clone(c)
			f(m, k, n, a, b, got)
			for i := range got {
				if d := math.Abs(float64(got[i]) - want[i]); d > 1e-5*float64(k+1) {
					t.Fatalf("%s gemm %dx%dx%d: c[%d] = %v, want %v", name, m, k, n, i, got[i], want[i])
				}
			}
		}
	}
}

// TestDepthwiseMatchesReference compares the fast depthwise kernel with the
// per-pixel reference on windows with and without padding, both strides,
// and channel counts that are and are not multiples of the vector width.
func TestDepthwiseMatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, h := range []int{1, 2, 3, 7, 12} {
		for _, c := range []int{1, 3, 8, 16, 20} {
			for _, s := range []int{1, 2} {
				for _, pad := range []string{"SAME", "VALID"} {
					for _, k := range []int{2, 3} {
						checkDepthwise(t, r, h, h+1, c, k, s, pad)
					}
				}
			}
		}
	}
}

func checkDepthwise(t *testing.T, r *rand.Rand, h, w, c, k, s int, pad string) {
	t.Helper()
	var wd window
	var err error
	wd = window{h: h, w: w, c: c, kh: k, kw: k, sh: s, sw: s}
	if wd.oh, wd.padT, err = outSize(pad, h, k, s); err != nil {
		return // kernel larger than a VALID input
	}
	if wd.ow, wd.padL, err = outSize(pad, w, k, s); err != nil {
		return
	}
	x, f := randomSlice(r, h*w*c), randomSlice(r, k*k*c)
	want, got := make([]float32, wd.oh*wd.ow*c), make([]float32, wd.oh*wd.ow*c)
	depthwise(wd, x, f, want)
	for i := range got {
		got[i] = float32(math.NaN()) // every output must be written
	}
	depthwiseFast(wd, x, f, got)
	for i := range got {
		if d := math.Abs(float64(got[i] - want[i])); !(d <= 1e-5) {
			t.Fatalf("depthwise %dx%dx%d k%d s%d %s: out[%d] = %v, want %v", h, w, c, k, s, pad, i, got[i], want[i])
		}
	}
}

// loadPlan loads a model with the fast or the reference plan.
func loadPlan(t testing.TB, modelPath string, ref bool) *Graph {
	t.Helper()
	js, err := os.ReadFile(modelPath)
	if err != nil {
		t.Fatal(err)
	}
	g, err := load(js, func(p string) ([]byte, error) {
		return os.ReadFile(filepath.Join(filepath.Dir(modelPath), filepath.Base(p)))
	}, ref)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func modelPaths(t testing.TB) []string {
	paths := []string{"testdata/tiny.json"}
	for _, f := range []string{"mediapipe/facemesh.json", "mediapipe/iris.json", "pad/antispoof.json", "pad/liveness.json"} {
		p := filepath.Join(repoRoot(t), ".cache", "models", f)
		need(t, exists(p), f+" in .cache/models")
		paths = append(paths, p)
	}
	return paths
}

// TestFastPlanMatchesReference runs every packaged model with the fast plan
// (fused residuals, blocked convolutions, specialised depthwise, SIMD when
// built with it) and with the reference plan on the same inputs; every
// output must agree to float32 rounding.
func TestFastPlanMatchesReference(t *testing.T) {
	for _, path := range modelPaths(t) {
		fast, ref := loadPlan(t, path, false), loadPlan(t, path, true)
		residual := !strings.HasPrefix(filepath.Base(path), "antispoof") && !strings.HasPrefix(filepath.Base(path), "liveness")
		if residual && len(fast.steps) >= len(ref.steps) {
			t.Errorf("%s: fast plan has %d steps, reference %d: nothing fused", path, len(fast.steps), len(ref.steps))
		}
		for name, in := range parityInputs(len(fast.Input())) {
			copy(fast.Input(), in)
			copy(ref.Input(), in)
			fast.Run()
			ref.Run()
			for key, out := range ref.outputs {
				got := fast.outputs[key].data
				scale := 1.0
				for _, v := range out.data {
					scale = max(scale, math.Abs(float64(v)))
				}
				if d := maxAbsDiff(t, key, got, out.data); d > 1e-5*scale {
					t.Errorf("%s %s %s: max |fast - reference| = %.3g (scale %.3g)", filepath.Base(path), name, key, d, scale)
				}
			}
		}
	}
}

// BenchmarkPlans runs the reference plan and the fast plan of each model
// alternately in the same process (interleaved A/B) and reports the median
// process CPU time of each and their ratio. Run with -cpu 1.
func BenchmarkPlans(b *testing.B) {
	for _, path := range modelPaths(b)[1:] {
		b.Run(filepath.Base(path), func(b *testing.B) {
			fast, ref := loadPlan(b, path, false), loadPlan(b, path, true)
			in := parityInputs(len(fast.Input()))["smooth"]
			copy(fast.Input(), in)
			copy(ref.Input(), in)
			var tf, tr []time.Duration
			for b.Loop() {
				start := cpuTime(b)
				ref.Run()
				mid := cpuTime(b)
				fast.Run()
				tr, tf = append(tr, mid-start), append(tf, cpuTime(b)-mid)
			}
			mf, mr := median(tf), median(tr)
			b.ReportMetric(float64(mr)/1e6, "ref-cpu-ms")
			b.ReportMetric(float64(mf)/1e6, "fast-cpu-ms")
			b.ReportMetric(float64(mf)/float64(mr), "fast/ref")
		})
	}
}

func median(d []time.Duration) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}
