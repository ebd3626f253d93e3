package daemon

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/ventanilla-mx/ventanilla/session"
)

// sessionMetrics counts sessions from the engine's events. Labels come
// only from closed vocabularies (end reasons, modalities, coarse capture
// results); no answer, verdict, outcome or identifier is ever a label,
// because a counter that moves once per session with it tells whoever
// scrapes what happened to that citizen.
type sessionMetrics struct {
	e        *session.Engine
	ended    *prometheus.CounterVec
	captures *prometheus.CounterVec
	verify   prometheus.Histogram
}

var sessionActiveDesc = prometheus.NewDesc("ventanilla_session_active",
	"1 while a session is claimed, 0 when the kiosk is free.", nil, nil)

func newSessionMetrics(s *System, e *session.Engine) *sessionMetrics {
	m := &sessionMetrics{e: e,
		ended: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "ventanilla_sessions_ended_total",
			Help: "Sessions ended, by reason (finished, operator, citizen, timeout, client_lost, shutdown, kiosk_fault)."}, []string{"reason"}),
		captures: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "ventanilla_session_captures_total",
			Help: "Capture outcomes by modality and result: done; retry (quality, timeout or liveness, merged so no verdict shows); device."},
			[]string{"modality", "result"}),
		verify: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "ventanilla_session_verify_seconds",
			Help: "From submit to the answer on the event stream.", Buckets: prometheus.ExponentialBuckets(0.05, 2, 10)}),
	}
	s.Go("session-metrics", m.run)
	return m
}

func (m *sessionMetrics) Describe(ch chan<- *prometheus.Desc) {
	ch <- sessionActiveDesc
	m.ended.Describe(ch)
	m.captures.Describe(ch)
	m.verify.Describe(ch)
}

func (m *sessionMetrics) Collect(ch chan<- prometheus.Metric) {
	active := 0.0
	if m.e.Snapshot().State != session.StateIdle {
		active = 1
	}
	ch <- prometheus.MustNewConstMetric(sessionActiveDesc, prometheus.GaugeValue, active)
	m.ended.Collect(ch)
	m.captures.Collect(ch)
	m.verify.Collect(ch)
}

// run follows the event stream until ctx is done, re-subscribing when the
// engine cuts it off.
func (m *sessionMetrics) run(ctx context.Context) error {
	var submitted time.Time
	for {
		events, cancel := m.e.Subscribe()
		for open := true; open; {
			select {
			case <-ctx.Done():
				cancel()
				return nil
			case ev, ok := <-events:
				open = ok
				if ok {
					m.observe(ev, &submitted)
				}
			}
		}
		cancel()
	}
}

func (m *sessionMetrics) observe(ev session.Event, submitted *time.Time) {
	switch ev.Kind {
	case session.KindEnded:
		m.ended.WithLabelValues(string(ev.Reason)).Inc()
	case session.KindCaptureDone:
		m.captures.WithLabelValues(string(ev.Modality), "done").Inc()
	case session.KindCaptureRejected, session.KindCaptureFailed:
		m.captures.WithLabelValues(string(ev.Modality), captureResult(ev)).Inc()
	case session.KindSubmitStarted:
		*submitted = ev.Time
	case session.KindAnswer:
		if !submitted.IsZero() {
			m.verify.Observe(ev.Time.Sub(*submitted).Seconds())
		}
	}
}

// captureResult is a failed or rejected capture's coarse result: device
// for a fault of the kiosk's own hardware, retry for anything the citizen
// could be behind (quality, timeout, a liveness verdict).
func captureResult(ev session.Event) string {
	if ev.Kind == session.KindCaptureFailed && (ev.Code == "device" || ev.Code == "error") {
		return "device"
	}
	return "retry"
}
