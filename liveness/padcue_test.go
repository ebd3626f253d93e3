package liveness

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/ventanilla-mx/ventanilla/internal/testenv"
	"github.com/ventanilla-mx/ventanilla/liveness/pad"
)

// TestPADRule checks that the learned score judges only when a minimum is
// set and the score was measured, and that it is listed among the failing
// cues.
func TestPADRule(t *testing.T) {
	o := DefaultOpts().withDefaults()
	base := func(min float64) *Check {
		oo := o
		oo.MinPADReal = min
		return &Check{o: oo, found: 20, frames: 20, bright: []float64{120}}
	}
	live := map[string]float64{CueColour: 30}
	low := map[string]float64{CueColour: 30, CuePADReal: 0.2}
	for _, c := range []struct {
		name   string
		min    float64
		s      map[string]float64
		want   Verdict
		failed bool
	}{
		{"measured only", 0, low, Live, false},
		{"below the minimum", 0.5, low, Spoof, true},
		{"not measured", 0.5, live, Live, false},
		{"above the minimum", 0.1, low, Live, false},
	} {
		chk := base(c.min)
		v, r := chk.judgeStatic(c.s)
		if v != c.want || (v == Spoof && r != CuePADReal) {
			t.Errorf("%s: %s(%s), want %s", c.name, v, r, c.want)
		}
		if got := slices.Contains(chk.failing(c.s, false), CuePADReal); got != c.failed {
			t.Errorf("%s: listed as failing = %v, want %v", c.name, got, c.failed)
		}
	}
}

// BenchmarkStaticVsPAD measures, on the same face and in the same run, one
// computation of the hand-made static cues (the baseline) and one
// inference of the learned models (pad.Score: crop plus both graphs).
// Run on one core: GOMAXPROCS=1 OPENCV_FOR_THREADS_NUM=1 taskset -c 0.
func BenchmarkStaticVsPAD(b *testing.B) {
	src := loadFace(b)
	defer src.Close()
	b.Run("static_cues", func(b *testing.B) {
		s := newStaticScorer()
		defer s.close()
		for i := 0; i < b.N; i++ {
			s.score(src, faceBox)
		}
	})
	b.Run("pad_score", func(b *testing.B) {
		s, err := pad.New(pad.Opts{ModelDir: padDir(b)})
		testenv.RequireFile(b, "anti-spoofing models (scripts/deps.sh)", err)
		defer s.Close()
		for i := 0; i < b.N; i++ {
			if _, err := s.Score(src, faceBox); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// padDir is the build tree's .cache/models/pad.
func padDir(tb testing.TB) string {
	tb.Helper()
	wd, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	return filepath.Join(filepath.Dir(wd), ".cache", "models", "pad")
}
