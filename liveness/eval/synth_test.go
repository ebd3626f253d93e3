package eval

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"testing"

	"github.com/ventanilla-mx/ventanilla/drivers/camera"
	"gocv.io/x/gocv"
)

// A synthetic attack must render the same frames on every run: the items'
// verdicts changed between runs when the noise came from OpenCV's shared
// generator.
func TestSynthIsDeterministic(t *testing.T) {
	for _, kind := range []string{"print", "print_curved", "replay_full", "replay_stand", "mask_cutout"} {
		a, b := renderSynth(t, kind, 7), renderSynth(t, kind, 7)
		for i := range a {
			if !bytes.Equal(a[i], b[i]) {
				t.Fatalf("%s: frame %d differs between two renders with the same seed", kind, i)
			}
		}
		if c := renderSynth(t, kind, 8); bytes.Equal(a[2], c[2]) {
			t.Errorf("%s: seeds 7 and 8 render the same frame", kind)
		}
	}
}

func renderSynth(t *testing.T, kind string, seed int64) [][]byte {
	t.Helper()
	gen := func(i int, dst *gocv.Mat) error {
		m := gocv.NewMatWithSize(120, 160, gocv.MatTypeCV8UC3)
		defer m.Close()
		m.SetTo(gocv.NewScalar(90, 120, 160, 0))
		gocv.Circle(&m, image.Pt(80+i, 60), 25, color.RGBA{200, 170, 150, 0}, -1)
		m.CopyTo(dst)
		return nil
	}
	src, err := camera.NewGenerated(gen, 25, &camera.ReplayOpts{Rate: camera.RateAsFastAsConsumed})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	ctx := context.Background()
	if err := src.Start(ctx); err != nil {
		t.Fatal(err)
	}
	s := newSynth(&Synth{Kind: kind, Seed: seed}, src)
	defer s.close()
	s.outFPS(25)
	var out [][]byte
	dst := gocv.NewMat()
	defer dst.Close()
	for i := 0; i < 4; i++ {
		if err := s.frame(ctx, i, &dst); err != nil {
			t.Fatal(err)
		}
		out = append(out, bytes.Clone(dst.ToBytes()))
	}
	return out
}

// A 25 fps recording on a screen filmed at 30 fps: the camera sees the
// source frames floor(i*25/30), every fifth one twice; at the camera's own
// rate (replay_stand_sync) each once.
func TestStandReplayConvertsTheFrameRate(t *testing.T) {
	for _, tc := range []struct {
		kind string
		fps  float64
		want []int
	}{
		{"replay_stand", 30, []int{0, 0, 1, 2, 3, 4, 5, 5, 6, 7, 8, 9, 10, 10}},
		{"replay_stand_sync", 25, []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13}},
	} {
		var served []int
		gen := func(i int, dst *gocv.Mat) error {
			served = append(served, i)
			m := gocv.NewMatWithSize(120, 160, gocv.MatTypeCV8UC3)
			defer m.Close()
			m.SetTo(gocv.NewScalar(float64(i), 100, 100, 0))
			m.CopyTo(dst)
			return nil
		}
		src, err := camera.NewGenerated(gen, 25, &camera.ReplayOpts{Rate: camera.RateAsFastAsConsumed})
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		if err := src.Start(ctx); err != nil {
			t.Fatal(err)
		}
		s := newSynth(&Synth{Kind: tc.kind, Seed: 1}, src)
		if got := s.outFPS(25); got != tc.fps {
			t.Errorf("%s: camera at %v fps, want %v", tc.kind, got, tc.fps)
		}
		dst := gocv.NewMat()
		var shown []int
		for i := range tc.want {
			if err := s.frame(ctx, i, &dst); err != nil {
				t.Fatal(err)
			}
			shown = append(shown, s.stand.curIdx)
		}
		if fmt.Sprint(shown) != fmt.Sprint(tc.want) {
			t.Errorf("%s: source frames shown %v, want %v", tc.kind, shown, tc.want)
		}
		dst.Close()
		s.close()
		src.Close()
	}
}
