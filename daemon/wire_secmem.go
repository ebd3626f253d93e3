package daemon

import (
	"context"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/ventanilla-mx/ventanilla/health"
	"github.com/ventanilla-mx/ventanilla/secmem"
)

const condSecmemUnlocked health.Code = "secmem.unlocked"

// wireSecmem builds the locked allocator every biometric buffer comes from,
// and wipes whatever is still live when the daemon stops (after every
// part built on it has closed). It is always
// built: memory that cannot be locked raises secmem.unlocked instead.
func wireSecmem(s *System) *secmem.Allocator {
	c := s.Config.Secmem
	unlocked := s.Health.Declare(health.Condition{Code: condSecmemUnlocked, Severity: health.Warning,
		NotReady: c.RequireLock,
		Message:  "memory for biometrics could not be locked (mlock): raise LimitMEMLOCK in the unit to at least secmem.max_bytes"})
	alloc := secmem.NewAllocator(&secmem.Opts{
		RequireLock: c.RequireLock, MaxBytes: int(c.MaxBytes.N()),
		OnLockFailure: func(err error) { unlocked.Set(err.Error()) },
	})
	s.Health.RegisterCheck(health.Check{Name: "secmem.lock", Run: func(context.Context) error {
		err := alloc.SelfTest()
		if err == nil {
			unlocked.Clear()
		}
		return err
	}})
	s.Metrics.MustRegister(secmemCollector{a: alloc})
	s.OnClose("secmem", func() error {
		if n := alloc.Close(); n > 0 {
			s.Log.Warn("wiped biometric buffers still live at shutdown", "buffers", n)
		}
		return nil
	})
	return alloc
}

type secmemCollector struct{ a *secmem.Allocator }

var (
	secmemLiveDesc     = prometheus.NewDesc("ventanilla_secmem_live_buffers", "Locked biometric buffers currently allocated.", nil, nil)
	secmemBytesDesc    = prometheus.NewDesc("ventanilla_secmem_live_bytes", "Bytes in live locked buffers.", nil, nil)
	secmemReleasedDesc = prometheus.NewDesc("ventanilla_secmem_released_total", "Buffers released (each wiped).", nil, nil)
	secmemUnlockedDesc = prometheus.NewDesc("ventanilla_secmem_unlocked_total", "Buffers handed out without mlock.", nil, nil)
)

func (c secmemCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{secmemLiveDesc, secmemBytesDesc, secmemReleasedDesc, secmemUnlockedDesc} {
		ch <- d
	}
}

func (c secmemCollector) Collect(ch chan<- prometheus.Metric) {
	st := c.a.Stats()
	ch <- prometheus.MustNewConstMetric(secmemLiveDesc, prometheus.GaugeValue, float64(st.Live))
	ch <- prometheus.MustNewConstMetric(secmemBytesDesc, prometheus.GaugeValue, float64(st.LiveBytes))
	ch <- prometheus.MustNewConstMetric(secmemReleasedDesc, prometheus.CounterValue, float64(st.Released))
	ch <- prometheus.MustNewConstMetric(secmemUnlockedDesc, prometheus.CounterValue, float64(st.Unlocked))
}
