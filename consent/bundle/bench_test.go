package bundle_test

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/ventanilla-mx/ventanilla/consent/bundle"
)

// BenchmarkVerify10k verifies a bundle of 10^4 records (every record of a
// log of 10^4), and, in the same run, only parses it: the difference is the
// signature and proof checking.
func BenchmarkVerify10k(b *testing.B) {
	const n = 10_000
	m := newLog(b, n)
	leaves := make([]int64, n)
	for i := range leaves {
		leaves[i] = int64(i)
	}
	data := m.export(leaves, n/2)
	pub := m.fx.Device.Public()
	b.Run("verify", func(b *testing.B) {
		for b.Loop() {
			rep := bundle.Verify(bytes.NewReader(data), &bundle.VerifyOpts{PublicKey: pub})
			if !rep.OK() || rep.Records != n {
				b.Fatalf("report: %d records, problems %v", rep.Records, rep.Problems)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/bundle")
		b.ReportMetric(float64(len(data))/(1<<20), "MiB/bundle")
	})
	b.Run("parse-only", func(b *testing.B) {
		for b.Loop() {
			r, err := bundle.NewReader(bytes.NewReader(data))
			if err != nil {
				b.Fatal(err)
			}
			for {
				if _, err := r.Next(); errors.Is(err, io.EOF) {
					break
				} else if err != nil {
					b.Fatal(err)
				}
			}
		}
		b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/bundle")
	})
}
