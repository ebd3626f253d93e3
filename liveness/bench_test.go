package liveness

import (
	"image"
	"slices"
	"testing"
	"time"

	"github.com/ventanilla-mx/ventanilla/capture/face"
	"gocv.io/x/gocv"
)

// BenchmarkFramePipeline measures one 640x480 frame through the per-frame
// work of a face capture: detect-or-track, the quality gate with the eye
// cascade, and Check.Feed (static cues, motion windows, a move_closer
// step). "previous" is the configuration before the eye and static-cue
// subsampling (eye cascade and static cues on every frame), measured in
// the same run for comparison; "default_blink_step" searches the eyes on
// every frame, as the daemon does while a blink is judged.
// Run on one core: OPENCV_FOR_THREADS_NUM=1 GOMAXPROCS=1 taskset -c 0 go test -bench FramePipeline ...
func BenchmarkFramePipeline(b *testing.B) {
	previous := func(fo *face.Opts, lo *Opts) { fo.EyesEvery, lo.StaticEvery = 1, 1 }
	variants := []struct {
		name string
		set  func(*face.Opts, *Opts)
	}{
		{"previous", previous},
		{"default", func(*face.Opts, *Opts) {}},
		{"default_blink_step", func(fo *face.Opts, _ *Opts) { fo.EyesEvery = 1 }},
		{"default_detect_every_frame", func(fo *face.Opts, _ *Opts) { fo.DetectEvery = 1 }},
	}
	for _, v := range variants {
		b.Run(v.name, func(b *testing.B) { benchPipeline(b, v.set, MoveCloser) })
	}
	// A blink step as the capture loop runs it: eyes searched on every
	// frame and the eye openness measured.
	b.Run("blink_check", func(b *testing.B) {
		benchPipeline(b, func(fo *face.Opts, _ *Opts) { fo.EyesEvery = 1 }, Blink)
	})
}

func benchPipeline(b *testing.B, set func(*face.Opts, *Opts), ch Challenge) {
	src := loadFace(b)
	defer src.Close()
	frames := make([]gocv.Mat, 10)
	for i := range frames {
		frames[i] = shiftedFrame(src, i)
		defer frames[i].Close()
	}
	fo, lo := face.DefaultOpts(), DefaultOpts()
	set(fo, lo)
	an, err := face.New(fo)
	if err != nil {
		b.Skip(err)
	}
	defer an.Close()
	newCheck := func() *Check {
		c, err := NewCheck(lo, []Challenge{ch})
		if err != nil {
			b.Skip(err)
		}
		return c
	}
	chk := newCheck()
	defer func() { chk.Close() }()
	var took []float64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		f := frames[i%len(frames)]
		t0 := time.Now()
		obs := an.Process(f, time.Unix(0, int64(i)*33e6))
		st := chk.Feed(f, &obs)
		took = append(took, float64(time.Since(t0).Microseconds())/1000)
		if st.Done { // the step timed out: a new check, as a new capture would
			b.StopTimer()
			chk.Close()
			chk = newCheck()
			b.StartTimer()
		}
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

// BenchmarkCheckFeed measures Check.Feed alone (static cues every
// StaticEvery frames, motion windows, the challenge step) on observations
// computed beforehand, so the liveness share of a frame can be compared
// between versions without the analyzer's cost and noise.
func BenchmarkCheckFeed(b *testing.B) {
	for _, ch := range []Challenge{MoveCloser, Blink, TurnLeft} {
		b.Run(string(ch), func(b *testing.B) { benchFeed(b, ch) })
	}
}

func benchFeed(b *testing.B, ch Challenge) {
	src := loadFace(b)
	defer src.Close()
	fo := face.DefaultOpts()
	fo.EyesEvery = 1
	an, err := face.New(fo)
	if err != nil {
		b.Skip(err)
	}
	defer an.Close()
	const n = 10
	frames, obs := make([]gocv.Mat, n), make([]face.Observation, n)
	for i := range frames {
		frames[i] = shiftedFrame(src, i)
		defer frames[i].Close()
		obs[i] = an.Process(frames[i], time.Unix(0, int64(i)*33e6))
	}
	newCheck := func() *Check {
		c, err := NewCheck(nil, []Challenge{ch})
		if err != nil {
			b.Skip(err)
		}
		return c
	}
	chk := newCheck()
	defer func() { chk.Close() }()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		o := obs[i%n]
		o.Time = time.Unix(0, int64(i)*33e6)
		if chk.Feed(frames[i%n], &o).Done {
			b.StopTimer()
			chk.Close()
			chk = newCheck()
			b.StartTimer()
		}
	}
}
