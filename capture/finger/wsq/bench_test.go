package wsq

import (
	"bytes"
	"image"
	"image/jpeg"
	"os"
	"path/filepath"
	"testing"

	"github.com/ventanilla-mx/ventanilla/capture/finger/fingergen"
	"github.com/ventanilla-mx/ventanilla/capture/finger/internal/testutil"
)

// benchImage is the 388x374, 500 ppi SourceAFIS probe when the shared data is
// present, otherwise a synthetic print of the same size.
func benchImage(b *testing.B) *image.Gray {
	if dir := os.Getenv(testutil.SharedDataEnv); dir != "" {
		p := filepath.Join(dir, "fingerprints", "sourceafis", "probe.png")
		if _, err := os.Stat(p); err == nil {
			return testutil.LoadGray(b, p)
		}
	}
	return fingergen.Print(1, 0, 388, 374)
}

// BenchmarkEncode388x374 encodes at 0.75 bpp into a reused buffer, as the
// kiosk does with a secmem allocator.
func BenchmarkEncode388x374(b *testing.B) {
	img := benchImage(b)
	e, err := NewEncoder(nil)
	if err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, len(img.Pix))
	var out []byte
	b.ReportAllocs()
	cpu := testutil.StartCPU()
	for b.Loop() {
		out, err = e.Encode(img, func(n int) ([]byte, error) { return buf[:n], nil })
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(cpu.PerOp(b.N), "cpu-ms/op")
	dec, _ := Decode(out)
	b.ReportMetric(float64(len(out)), "bytes")
	b.ReportMetric(float64(len(img.Pix))/float64(len(out)), "ratio")
	b.ReportMetric(testutil.PSNR(img, dec), "PSNR_dB")
}

func BenchmarkDecode388x374(b *testing.B) {
	img := benchImage(b)
	data, err := Encode(img, nil)
	if err != nil {
		b.Fatal(err)
	}
	d := NewDecoder(nil)
	buf := make([]byte, len(img.Pix))
	b.ReportAllocs()
	cpu := testutil.StartCPU()
	for b.Loop() {
		if _, _, err := d.Decode(data, func(n int) ([]byte, error) { return buf[:n], nil }); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(cpu.PerOp(b.N), "cpu-ms/op")
}

// jpegQualityAtSize is the highest JPEG quality whose output is no larger
// than size bytes, so that the comparison is at equal compression.
func jpegQualityAtSize(b *testing.B, img *image.Gray, size int) int {
	best := 1
	for q := 1; q <= 100; q++ {
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: q}); err != nil {
			b.Fatal(err)
		}
		if buf.Len() <= size {
			best = q
		}
	}
	return best
}

// BenchmarkJPEGEncode388x374 is the comparison: the standard library's
// baseline JPEG encoder on the same image, at the quality whose output is
// closest to (not larger than) the WSQ stream at 0.75 bpp.
func BenchmarkJPEGEncode388x374(b *testing.B) {
	img := benchImage(b)
	wsqData, err := Encode(img, nil)
	if err != nil {
		b.Fatal(err)
	}
	var buf bytes.Buffer
	opts := &jpeg.Options{Quality: jpegQualityAtSize(b, img, len(wsqData))}
	b.ReportAllocs()
	cpu := testutil.StartCPU()
	for b.Loop() {
		buf.Reset()
		if err := jpeg.Encode(&buf, img, opts); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(cpu.PerOp(b.N), "cpu-ms/op")
	dec, err := jpeg.Decode(bytes.NewReader(buf.Bytes()))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(buf.Len()), "bytes")
	b.ReportMetric(float64(len(img.Pix))/float64(buf.Len()), "ratio")
	b.ReportMetric(testutil.PSNR(img, testutil.ToGray(dec)), "PSNR_dB")
	b.ReportMetric(float64(opts.Quality), "quality")
}

func BenchmarkJPEGDecode388x374(b *testing.B) {
	img := benchImage(b)
	wsqData, err := Encode(img, nil)
	if err != nil {
		b.Fatal(err)
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: jpegQualityAtSize(b, img, len(wsqData))}); err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	b.ReportAllocs()
	cpu := testutil.StartCPU()
	for b.Loop() {
		if _, err := jpeg.Decode(bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(cpu.PerOp(b.N), "cpu-ms/op")
}
