//go:build cvmatch

package cvmatch_test

import (
	"context"
	"github.com/ventanilla-mx/ventanilla/capture/finger/iso19794"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ventanilla-mx/ventanilla/uplink/inesim"
	"github.com/ventanilla-mx/ventanilla/vocab"
)

// BenchmarkINESimLoopback measures ine-sim throughput: kiosk clients in
// parallel against one in-process ine-sim over mutual TLS on loopback, with
// the OpenCV matcher scoring every biometric (MLKEM768-X25519 suite).
func BenchmarkINESimLoopback(b *testing.B) {
	faceJPG := faceJPEG(&testing.T{})
	const w, h = 200, 240
	finger, _ := iso19794.Raw(inesim.SyntheticFinger(5, 6, w, h), w, h, iso19794.RightIndex)
	for _, mode := range []string{"finger", "face+finger"} {
		b.Run(mode, func(b *testing.B) {
			t := &testing.T{}
			run := newRetentionPair(t, faceJPG, finger)
			defer run.close()
			var failed atomic.Int64
			b.SetParallelism(2) // 2 x GOMAXPROCS kiosk clients
			start := time.Now()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					req, release := run.request(t, faceJPG, finger)
					if mode == "finger" {
						req.Biometrics, req.Liveness = req.Biometrics[1:], nil
					}
					a, _ := run.client.Verify(context.Background(), req)
					release()
					if a.Status != vocab.StatusValid {
						failed.Add(1)
					}
				}
			})
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "verif/s")
			if failed.Load() > 0 {
				b.Fatalf("%d verifications failed", failed.Load())
			}
		})
	}
}
