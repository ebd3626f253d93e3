package eval

import (
	"bytes"
	"context"
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
	for _, kind := range []string{"print", "print_curved", "replay_full"} {
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
