package liveness

import (
	"image"
	"slices"
	"testing"
	"time"

	"github.com/ventanilla-mx/ventanilla/capture/face"
	"gocv.io/x/gocv"
)

// BenchmarkFramePipeline measures one 640x480 frame through detect-or-track,
// the quality gate and every static cue, the per-frame work of a session.
// Run on one core: OPENCV_FOR_THREADS_NUM=1 taskset -c 0 go test -bench FramePipeline ...
func BenchmarkFramePipeline(b *testing.B) {
	for _, every := range []int{1, 5} {
		name := "track_detect_every_5"
		if every == 1 {
			name = "detect_every_frame"
		}
		b.Run(name, func(b *testing.B) { benchPipeline(b, every) })
	}
}

func benchPipeline(b *testing.B, every int) {
	src := loadFace(b)
	defer src.Close()
	frames := make([]gocv.Mat, 10)
	for i := range frames {
		frames[i] = shiftedFrame(src, i)
		defer frames[i].Close()
	}
	o := face.DefaultOpts()
	o.DetectEvery = every
	an, err := face.New(o)
	if err != nil {
		b.Skip(err)
	}
	defer an.Close()
	s := newStaticScorer()
	defer s.close()
	var took []float64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		f := frames[i%len(frames)]
		t0 := time.Now()
		obs := an.Process(f, time.Unix(0, int64(i)*33e6))
		if obs.Found {
			s.score(f, obs.Box)
		}
		took = append(took, float64(time.Since(t0).Microseconds())/1000)
	}
	b.StopTimer()
	slices.Sort(took)
	b.ReportMetric(took[len(took)/2], "median-ms/frame")
	b.ReportMetric(took[len(took)*9/10], "p90-ms/frame")
	b.ReportMetric(33.3, "budget-ms/frame")
}

func shiftedFrame(src gocv.Mat, i int) gocv.Mat {
	out := gocv.NewMat()
	m := gocv.NewMatWithSize(2, 3, gocv.MatTypeCV64F)
	defer m.Close()
	for k, v := range []float64{1, 0, float64(i % 5), 0, 1, float64(i % 3)} {
		m.SetDoubleAt(k/3, k%3, v)
	}
	gocv.WarpAffine(src, &out, m, image.Pt(src.Cols(), src.Rows()))
	noise(&out, i)
	return out
}
