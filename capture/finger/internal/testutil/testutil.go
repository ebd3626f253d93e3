// Package testutil finds the shared sample data and loads and compares
// grayscale images, for the tests of the fingerprint packages. Tests that need
// the data skip cleanly when it is absent (as in CI).
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

// SharedDataEnv names the directory holding the shared sample data. When it
// is unset, ../shared/data relative to the repository root is used.
const SharedDataEnv = "VENTANILLA_SHARED_DATA"

// SharedData returns the path of a file under the shared data directory, or
// skips the test when that file is absent.
func SharedData(tb testing.TB, parts ...string) string {
	tb.Helper()
	dir := os.Getenv(SharedDataEnv)
	if dir == "" {
		root, err := repoRoot()
		if err != nil {
			tb.Skipf("shared data: %v", err)
		}
		dir = filepath.Join(root, "..", "shared", "data")
	}
	p := filepath.Join(append([]string{dir}, parts...)...)
	if _, err := os.Stat(p); err != nil {
		tb.Skipf("shared data %s not present (set %s): %v", filepath.Join(parts...), SharedDataEnv, err)
	}
	return p
}

func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", os.ErrNotExist
		}
		dir = parent
	}
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
