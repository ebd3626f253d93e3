package tfjs

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// need skips (or, under CI, fails) a test that needs a part fetched by
// scripts/deps.sh.
func need(t testing.TB, ok bool, what string) {
	t.Helper()
	if ok {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s missing (run scripts/deps.sh)", what)
	}
	t.Skipf("%s missing (run scripts/deps.sh); skipping", what)
}

// repoRoot is the directory holding go.mod.
func repoRoot(t testing.TB) string {
	t.Helper()
	dir, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found")
		}
		dir = parent
	}
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// loadFile loads a model.json whose shards sit next to it.
func loadFile(t testing.TB, modelPath string) *Graph {
	t.Helper()
	js, err := os.ReadFile(modelPath)
	if err != nil {
		t.Fatal(err)
	}
	g, err := Load(js, func(p string) ([]byte, error) {
		return os.ReadFile(filepath.Join(filepath.Dir(modelPath), filepath.Base(p)))
	})
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// runReference runs testdata/reference.cjs under node with @tensorflow/tfjs.
func runReference(t *testing.T, root, modelPath string, input []float32, outputs ...string) map[string][]float32 {
	t.Helper()
	node, err := exec.LookPath("node")
	need(t, err == nil, "node")
	mods := filepath.Join(root, ".cache", "node", "node_modules")
	need(t, exists(filepath.Join(mods, "@tensorflow", "tfjs", "package.json")), "@tensorflow/tfjs in .cache/node")
	var in bytes.Buffer
	if err := binary.Write(&in, binary.LittleEndian, input); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(node, append([]string{"testdata/reference.cjs", modelPath}, outputs...)...)
	cmd.Env = append(os.Environ(), "NODE_PATH="+mods)
	cmd.Stdin = &in
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("reference: %v\n%s", err, stderr.String())
	}
	lines := bytes.Split(bytes.TrimSpace(out), []byte("\n"))
	var res map[string][]float32
	if err := json.Unmarshal(lines[len(lines)-1], &res); err != nil {
		t.Fatalf("reference output: %v", err)
	}
	return res
}

// maxAbsDiff compares two equally long vectors.
func maxAbsDiff(t *testing.T, name string, got, want []float32) float64 {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, reference has %d", name, len(got), len(want))
	}
	worst := 0.0
	for i := range got {
		d := math.Abs(float64(got[i] - want[i]))
		if math.IsNaN(d) {
			t.Fatalf("%s[%d]: NaN", name, i)
		}
		worst = max(worst, d)
	}
	return worst
}

// parityInputs are fixed, reproducible inputs in [0, 1]: a smooth ramp with
// ripples (image-like) and a high-frequency stripe pattern.
func parityInputs(n int) map[string][]float32 {
	smooth, stripes := make([]float32, n), make([]float32, n)
	for i := range smooth {
		smooth[i] = float32(0.5 + 0.4*math.Sin(float64(i)/997)*math.Cos(float64(i%576)/61))
		stripes[i] = float32((i*37)%255) / 255
	}
	return map[string][]float32{"smooth": smooth, "stripes": stripes}
}

// TestModelParity runs the packaged face mesh, iris and anti-spoofing models
// in Go and in tfjs on the same inputs and bounds the difference of every
// output.
func TestModelParity(t *testing.T) {
	root := repoRoot(t)
	for _, c := range []struct {
		dir, file string
		bounds    map[string]float64
	}{
		// Mesh coordinates are input pixels (0..192), the flag a probability.
		{"mediapipe", "facemesh.json", map[string]float64{"Identity_2": 2e-3, "Identity_1": 1e-5, "Identity": 2e-3}},
		// Eye contour and iris points, input pixels (0..64).
		{"mediapipe", "iris.json", map[string]float64{"Identity": 1e-3}},
		// Probabilities (sigmoid; softmax of two classes).
		{"pad", "antispoof.json", map[string]float64{"Identity": 1e-5}},
		{"pad", "liveness.json", map[string]float64{"Identity": 1e-5}},
	} {
		model := filepath.Join(root, ".cache", "models", c.dir, c.file)
		need(t, exists(model), c.file+" in .cache/models/"+c.dir)
		g := loadFile(t, model)
		var names []string
		for out := range c.bounds {
			names = append(names, out)
		}
		for name, in := range parityInputs(len(g.Input())) {
			want := runReference(t, root, model, in, names...)
			copy(g.Input(), in)
			g.Run()
			for out, bound := range c.bounds {
				got, _ := g.Output(out)
				d := maxAbsDiff(t, out, got, want[out])
				t.Logf("%s %s %s: max |go - tfjs| = %.3g (bound %.3g)", c.file, name, out, d, bound)
				if d > bound {
					t.Errorf("%s %s %s: max abs error %.3g above %.3g", c.file, name, out, d, bound)
				}
			}
		}
	}
}
