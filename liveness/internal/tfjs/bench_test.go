package tfjs

import (
	"path/filepath"
	"testing"
)

// BenchmarkFaceMesh is one face mesh inference on one core. The same-run
// baseline (the Haar eye search the challenges use today) is in the parent
// package's benchmarks, which link gocv.
func BenchmarkFaceMesh(b *testing.B) { benchModel(b, "facemesh.json") }

// BenchmarkIris is one eye (64x64) through the iris model.
func BenchmarkIris(b *testing.B) { benchModel(b, "iris.json") }

func benchModel(b *testing.B, file string) {
	model := filepath.Join(repoRoot(b), ".cache", "models", "mediapipe", file)
	need(b, exists(model), file+" in .cache/models/mediapipe")
	g := loadFile(b, model)
	copy(g.Input(), parityInputs(len(g.Input()))["smooth"])
	b.ReportAllocs()
	start := cpuTime(b)
	for b.Loop() {
		g.Run()
	}
	b.ReportMetric(float64(cpuTime(b)-start)/float64(b.N)/1e6, "cpu-ms/op")
}
