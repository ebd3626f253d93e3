package liveness

import (
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/ventanilla-mx/ventanilla/capture/face"
	"github.com/ventanilla-mx/ventanilla/internal/fixtures"
	"github.com/ventanilla-mx/ventanilla/liveness/landmark"
	"gocv.io/x/gocv"
)

// BenchmarkChallengeCPU measures the process CPU time (getrusage, user +
// system) of one 640x480-class frame through the capture loop's per-frame
// work during each challenge step: the analyzer (with the eye-search
// cadence the check asks for) and Check.Feed. "cascades" is the baseline
// without the face mesh, "mesh" the same frames with it (every other frame
// outside a blink step; every frame, with the iris eyelids, in one). Run
// it on one core, as docs/benchmarks.md says:
//
//	OPENCV_FOR_THREADS_NUM=1 GOMAXPROCS=1 taskset -c 0 go test -run - -bench ChallengeCPU -tags matprofile ./liveness/
func BenchmarkChallengeCPU(b *testing.B) {
	dir := filepath.Join(fixtures.RepoRoot(), ".cache", "models", "mediapipe")
	for _, ch := range []Challenge{Blink, TurnLeft, Smile} {
		b.Run("cascades/"+string(ch), func(b *testing.B) { benchCPU(b, "", ch) })
		b.Run("mesh/"+string(ch), func(b *testing.B) {
			if _, err := os.Stat(filepath.Join(dir, landmark.ModelFile)); err != nil {
				b.Skip("face mesh not installed (scripts/deps.sh):", err)
			}
			benchCPU(b, dir, ch)
		})
	}
}

func cpuNow() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func benchCPU(b *testing.B, landmarks string, ch Challenge) {
	src := loadFace(b)
	defer src.Close()
	frames := make([]gocv.Mat, 10)
	for i := range frames {
		frames[i] = shiftedFrame(src, i)
		defer frames[i].Close()
	}
	an, err := face.New(face.DefaultOpts())
	if err != nil {
		b.Skip(err)
	}
	defer an.Close()
	lo := DefaultOpts()
	lo.LandmarkDir = landmarks
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
	var st Status
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		f := frames[i%len(frames)]
		c0 := cpuNow()
		an.SetEyesEvery(chk.EyesEvery(st))
		obs := an.Process(f, time.Unix(0, int64(i)*40e6))
		st = chk.Feed(f, &obs)
		took = append(took, float64(cpuNow()-c0)/1e6)
		if st.Done { // the step timed out: a new check, as a new attempt would
			b.StopTimer()
			chk.Close()
			chk, st = newCheck(), Status{}
			b.StartTimer()
		}
	}
	b.StopTimer()
	slices.Sort(took)
	b.ReportMetric(took[len(took)/2], "cpu-median-ms/frame")
	b.ReportMetric(took[len(took)*9/10], "cpu-p90-ms/frame")
}
