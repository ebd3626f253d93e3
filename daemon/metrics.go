package daemon

import (
	"net/http"
	"runtime"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/ventanilla-mx/ventanilla/health"
)

// newMetrics builds the daemon's registry: process and Go runtime metrics,
// build info, and one series per declared health condition. Labels never
// carry identifiers of people or sessions.
func newMetrics(reg *health.Registry, startUnix float64) *prometheus.Registry {
	r := prometheus.NewRegistry()
	r.MustRegister(
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{Namespace: "ventanilla"}),
		collectors.NewGoCollector(),
		healthCollector{reg: reg},
	)
	build := prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "ventanilla_build_info", Help: "Build version; the value is always 1.",
	}, []string{"version", "goversion"})
	build.WithLabelValues(Version, runtime.Version()).Set(1)
	start := prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "ventanilla_start_time_seconds", Help: "When the daemon started, in Unix seconds.",
	})
	start.Set(startUnix)
	r.MustRegister(build, start)
	return r
}

func metricsHandler(r *prometheus.Registry) http.Handler {
	return promhttp.HandlerFor(r, promhttp.HandlerOpts{})
}

// healthCollector exports conditions and readiness at scrape time.
type healthCollector struct{ reg *health.Registry }

var (
	condDesc = prometheus.NewDesc("ventanilla_health_condition_active",
		"1 when the condition is visible, 0 otherwise.", []string{"code", "severity"}, nil)
	readyDesc = prometheus.NewDesc("ventanilla_ready",
		"1 when no visible condition blocks readiness.", nil, nil)
)

func (c healthCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- condDesc
	ch <- readyDesc
}

func (c healthCollector) Collect(ch chan<- prometheus.Metric) {
	visible := make(map[health.Code]bool)
	for _, s := range c.reg.Visible() {
		visible[s.Code] = true
	}
	for _, d := range c.reg.Declared() {
		v := 0.0
		if visible[d.Code] {
			v = 1
		}
		ch <- prometheus.MustNewConstMetric(condDesc, prometheus.GaugeValue, v, string(d.Code), d.Severity.String())
	}
	ready, _ := c.reg.Ready()
	r := 0.0
	if ready {
		r = 1
	}
	ch <- prometheus.MustNewConstMetric(readyDesc, prometheus.GaugeValue, r)
}
