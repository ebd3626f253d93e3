package tfjs

import (
	"path/filepath"
	"sort"
	"testing"
	"time"
)

// TestStepProfile logs, per op, the share of one run's CPU time of the
// face mesh and iris graphs (go test -v -run StepProfile). It checks only
// that every step was attributed to an op.
func TestStepProfile(t *testing.T) {
	for _, file := range []string{"facemesh.json", "iris.json"} {
		model := filepath.Join(repoRoot(t), ".cache", "models", "mediapipe", file)
		need(t, exists(model), file+" in .cache/models/mediapipe")
		g := loadFile(t, model)
		if len(g.stepOp) != len(g.steps) {
			t.Fatalf("%s: %d steps, %d tagged", file, len(g.steps), len(g.stepOp))
		}
		copy(g.Input(), parityInputs(len(g.Input()))["smooth"])
		per := map[string]time.Duration{}
		const runs = 20
		for r := 0; r < runs; r++ {
			for i, s := range g.steps {
				start := cpuTime(t)
				s()
				per[g.stepOp[i]] += cpuTime(t) - start
			}
		}
		var ops []string
		for op := range per {
			ops = append(ops, op)
		}
		sort.Slice(ops, func(i, j int) bool { return per[ops[i]] > per[ops[j]] })
		for _, op := range ops {
			t.Logf("%s %-24s %6.2f ms/run", file, op, float64(per[op])/runs/1e6)
		}
	}
}
