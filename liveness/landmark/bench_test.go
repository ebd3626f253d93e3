package landmark

import (
	"image"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/ventanilla-mx/ventanilla/capture/face"
	"gocv.io/x/gocv"
)

// cpuTime is the process's user+system CPU time: the benchmarks report it
// per op ("cpu-ms/op") beside wall time, which on the shared, loaded build
// machine mostly measures waiting for a core. Run with -cpu 1.
func cpuTime(tb testing.TB) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func loop(b *testing.B, f func()) {
	b.ReportAllocs()
	start := cpuTime(b)
	for b.Loop() {
		f()
	}
	b.ReportMetric(float64(cpuTime(b)-start)/float64(b.N)/1e6, "cpu-ms/op")
}

// BenchmarkDetect is one face mesh fit (crop, inference, mapping back) on
// gocv's 640x480 face.jpg.
func BenchmarkDetect(b *testing.B) { benchDetect(b, Opts{}) }

// BenchmarkDetectRefineEyes adds the iris model on both eyes.
func BenchmarkDetectRefineEyes(b *testing.B) { benchDetect(b, Opts{RefineEyes: true}) }

func benchDetect(b *testing.B, o Opts) {
	m := newMeshOpts(b, o)
	frame := loadFace(b)
	box := haarFace(b, frame)
	loop(b, func() {
		if _, err := m.Detect(frame, box); err != nil {
			b.Fatal(err)
		}
	})
}

// BenchmarkHaarEyesBaseline is what the blink challenge does per frame today
// on the same face: the eye cascade the daemon uses
// (haarcascade_eye_tree_eyeglasses) on the face's eye band scaled to 200
// pixels wide, with capture/face's parameters, plus the grey conversion.
func BenchmarkHaarEyesBaseline(b *testing.B) {
	frame := loadFace(b)
	box := haarFace(b, frame)
	eyes := gocv.NewCascadeClassifier()
	defer eyes.Close()
	if !eyes.Load(filepath.Join(face.DefaultCascadeDir, "haarcascade_eye_tree_eyeglasses.xml")) {
		b.Skip("eye cascade unavailable (install opencv-data)")
	}
	gray, small := gocv.NewMat(), gocv.NewMat()
	defer gray.Close()
	defer small.Close()
	band := image.Rect(box.Min.X, box.Min.Y+box.Dy()*15/100, box.Max.X, box.Min.Y+box.Dy()*60/100)
	size := image.Pt(200, 200*band.Dy()/band.Dx())
	loop(b, func() {
		gocv.CvtColor(frame, &gray, gocv.ColorBGRToGray)
		sub := gray.Region(band)
		gocv.Resize(sub, &small, size, 0, 0, gocv.InterpolationLinear)
		sub.Close()
		eyes.DetectMultiScaleWithParams(small, 1.1, 3, 0, image.Pt(16, 16), image.Pt(90, 90))
	})
}
