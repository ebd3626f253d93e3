// Package testutil finds the shared sample data (for `make eval` only) and
// loads and compares grayscale images, for the tests of the fingerprint
// packages. Tests that need the shared data skip unless
// VENTANILLA_SHARED_DATA is set; they never read outside the checkout on
// their own.
package testutil

import (
	"image"
	"image/draw"
	_ "image/jpeg" // sample prints come as JPEG too
	_ "image/png"  // and as PNG
	"math"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// SharedDataEnv names the directory holding the shared sample data. It
// lives outside the repository: only `make eval` sets it, and the tests
// that need it skip without it.
const SharedDataEnv = "VENTANILLA_SHARED_DATA"

// SharedData returns the path of a file under the shared data directory,
// or skips the test when SharedDataEnv is unset; a set directory without
// the file fails the test.
func SharedData(tb testing.TB, parts ...string) string {
	tb.Helper()
	dir := os.Getenv(SharedDataEnv)
	if dir == "" {
		tb.Skipf("evaluation data: %s unset (`make eval` runs this test)", SharedDataEnv)
	}
	p := filepath.Join(append([]string{dir}, parts...)...)
	if _, err := os.Stat(p); err != nil {
		tb.Fatalf("%s is set but %s is absent: %v", SharedDataEnv, filepath.Join(parts...), err)
	}
	return p
}

// LoadGray decodes a PNG or JPEG file into an 8-bit grayscale image.
func LoadGray(tb testing.TB, path string) *image.Gray {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	img, _, err := image.Decode(f)
	if err != nil {
		tb.Fatalf("decode %s: %v", path, err)
	}
	return ToGray(img)
}

// ToGray converts any image to an *image.Gray with origin (0,0).
func ToGray(img image.Image) *image.Gray {
	b := img.Bounds()
	g := image.NewGray(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(g, g.Rect, img, b.Min, draw.Src)
	return g
}

// Diff returns the maximum and mean absolute difference of two images of the
// same size.
func Diff(a, b *image.Gray) (maxAbs int, meanAbs float64) {
	var sum int
	w, h := a.Rect.Dx(), a.Rect.Dy()
	for y := range h {
		ra := a.Pix[y*a.Stride : y*a.Stride+w]
		rb := b.Pix[y*b.Stride : y*b.Stride+w]
		for x := range ra {
			d := int(ra[x]) - int(rb[x])
			if d < 0 {
				d = -d
			}
			maxAbs = max(maxAbs, d)
			sum += d
		}
	}
	return maxAbs, float64(sum) / float64(w*h)
}

// PSNR is the peak signal-to-noise ratio of b against a, in dB (+Inf when
// equal).
func PSNR(a, b *image.Gray) float64 {
	var se float64
	w, h := a.Rect.Dx(), a.Rect.Dy()
	for y := range h {
		for x := range w {
			d := float64(a.Pix[y*a.Stride+x]) - float64(b.Pix[y*b.Stride+x])
			se += d * d
		}
	}
	if se == 0 {
		return math.Inf(1)
	}
	return 10 * math.Log10(255*255/(se/float64(w*h)))
}

// CPUTimer measures the CPU time the process spends, which on a shared,
// loaded machine is a steadier figure than wall time. Report it with
// b.ReportMetric(timer.PerOp(b.N), "cpu-ms/op").
type CPUTimer struct{ start time.Duration }

// StartCPU starts a CPUTimer.
func StartCPU() CPUTimer { return CPUTimer{start: cpuTime()} }

// PerOp is the CPU time since StartCPU divided by n, in milliseconds.
func (c CPUTimer) PerOp(n int) float64 {
	return float64(cpuTime()-c.start) / float64(time.Millisecond) / float64(max(n, 1))
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
