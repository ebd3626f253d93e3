package finger

import (
	"testing"

	"github.com/ventanilla-mx/ventanilla/capture/finger/fingergen"
	"github.com/ventanilla-mx/ventanilla/capture/finger/internal/degrade"
	"github.com/ventanilla-mx/ventanilla/capture/finger/internal/testutil"
	"github.com/ventanilla-mx/ventanilla/capture/finger/iso19794"
)

// BenchmarkAssessR30x measures the quality check on an R30x-sized capture.
func BenchmarkAssessR30x(b *testing.B) {
	img := degrade.Quantize4(fingergen.Print(1, 0, 256, 288))
	a, _ := NewAssessor(nil)
	b.ReportAllocs()
	cpu := testutil.StartCPU()
	for b.Loop() {
		if _, err := a.Assess(img); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(cpu.PerOp(b.N), "cpu-ms/op")
}

// BenchmarkRecordR30x measures WSQ encoding into an ISO/IEC 19794-4 record,
// into a reused buffer as with a secmem allocator.
func BenchmarkRecordR30x(b *testing.B) {
	img := degrade.Quantize4(fingergen.Print(1, 0, 256, 288))
	e, _ := NewEncoder(nil)
	buf := make([]byte, len(img.Pix))
	var rec []byte
	b.ReportAllocs()
	cpu := testutil.StartCPU()
	for b.Loop() {
		var err error
		rec, err = e.Record(img, R30x, iso19794.RightIndex, 70, func(n int) ([]byte, error) { return buf[:n], nil })
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(cpu.PerOp(b.N), "cpu-ms/op")
	b.ReportMetric(float64(len(rec)), "bytes")
}
