package daemon

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/ventanilla-mx/ventanilla/health"
	"github.com/ventanilla-mx/ventanilla/session"
	"github.com/ventanilla-mx/ventanilla/uplink"
	"github.com/ventanilla-mx/ventanilla/vocab"
)

// citizenWords are label values that would say what happened to one
// citizen: INE's statuses and liveness verdicts.
var citizenWords = []string{"valid", "lost", "stolen", "not-found", "not-current", "mismatch", "suspended",
	"spoof", "uncertain", "liveness", "quality"}

func exposition(t *testing.T, c prometheus.Collector) string {
	t.Helper()
	r := prometheus.NewPedanticRegistry()
	r.MustRegister(c)
	rec := httptest.NewRecorder()
	metricsHandler(r).ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	return rec.Body.String()
}

func citizenLeaks(text string) []string {
	var out []string
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(line, "#") {
			continue
		}
		for _, w := range citizenWords {
			if strings.Contains(line, w) {
				out = append(out, line)
				break
			}
		}
	}
	return out
}

type fakeUplinkStats struct{ m uplink.Metrics }

func (f fakeUplinkStats) Metrics() uplink.Metrics { return f.m }
func (f fakeUplinkStats) State() uplink.State     { return uplink.State{Reachable: true} }

// Issue 17, finding 3: one "lost" session moved a counter labelled
// reported-lost-stolen from 0 to 1.
func TestUplinkMetricsCarryNoStatus(t *testing.T) {
	m := uplink.Metrics{Verifications: map[vocab.Status]uint64{vocab.StatusValid: 2, vocab.StatusLostOrStolen: 1,
		vocab.StatusNotFound: 1, vocab.StatusUnknown: 3}, Unknown: map[uplink.Reason]uint64{uplink.ReasonTimeout: 3}}
	text := exposition(t, uplinkCollector{c: fakeUplinkStats{m}})
	if l := citizenLeaks(text); len(l) > 0 {
		t.Fatalf("uplink metrics carry a citizen's outcome:\n%s", strings.Join(l, "\n"))
	}
	for _, want := range []string{`ventanilla_uplink_verifications_total{result="completed"} 4`,
		`ventanilla_uplink_verifications_total{result="unknown"} 3`} {
		if !strings.Contains(text, want) {
			t.Errorf("missing %s in\n%s", want, text)
		}
	}
}

// Issue 17, finding 3 (the same leak elsewhere): a presentation attack
// moved ventanilla_session_captures_total{result="liveness.spoof"}.
func TestSessionMetricsCarryNoVerdict(t *testing.T) {
	m := &sessionMetrics{
		ended:    prometheus.NewCounterVec(prometheus.CounterOpts{Name: "e"}, []string{"reason"}),
		captures: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "ventanilla_session_captures_total"}, []string{"modality", "result"}),
		verify:   prometheus.NewHistogram(prometheus.HistogramOpts{Name: "v"}),
	}
	var submitted time.Time
	for _, ev := range []session.Event{
		{Kind: session.KindCaptureRejected, Modality: session.Face, Code: "liveness.spoof"},
		{Kind: session.KindCaptureRejected, Modality: session.Face, Code: "liveness.uncertain"},
		{Kind: session.KindCaptureFailed, Modality: session.Finger, Code: "quality"},
		{Kind: session.KindCaptureFailed, Modality: session.Finger, Code: "device"},
		{Kind: session.KindCaptureDone, Modality: session.Face},
	} {
		m.observe(ev, &submitted)
	}
	text := exposition(t, m.captures)
	if l := citizenLeaks(text); len(l) > 0 {
		t.Fatalf("capture metrics carry a citizen's verdict:\n%s", strings.Join(l, "\n"))
	}
	if want := `ventanilla_session_captures_total{modality="face",result="retry"} 2`; !strings.Contains(text, want) {
		t.Errorf("missing %s in\n%s", want, text)
	}
}

// Issue 17, finding 3: the metrics TCP listener answered any Host, so a
// DNS-rebinding page could read it.
func TestMetricsListenerChecksHost(t *testing.T) {
	s := &System{Health: health.NewRegistry(nil), Metrics: prometheus.NewRegistry()}
	for host, want := range map[string]int{"evil.example:9464": 421, "127.0.0.1.nip.io": 421,
		"127.0.0.1:9464": 200, "localhost:9464": 200, "[::1]:9464": 200} {
		req := httptest.NewRequest("GET", "/metrics", nil)
		req.Host = host
		rec := httptest.NewRecorder()
		s.publicMux().ServeHTTP(rec, req)
		if rec.Code != want {
			t.Errorf("Host %s: %d, want %d", host, rec.Code, want)
		}
	}
}
