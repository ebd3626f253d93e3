package archive

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Health and metrics (docs/operations.md, "Archive health and metrics").
//
// No series carries a per-citizen label, and none carries a kiosk label
// either: every push follows new consents, so a per-kiosk counter of
// leaves, or even a per-kiosk "last push" time, would publish when
// citizens were served at a known counter, at the push interval's
// resolution, to whoever can read the monitoring. Per-kiosk state (backlog,
// alerts) is for the operators' SQL and the kiosks' own metrics. Labels
// are the fixed push result codes only.

// pushCodes are the result label values of ventanilla_archive_pushes_total.
var pushCodes = []string{"ok", "gap", "fork", "rejected", "unknown-kiosk", "revoked", "unavailable"}

type metrics struct {
	mu         sync.Mutex
	pushes     map[string]uint64
	leaves     atomic.Uint64
	bindings   atomic.Uint64
	lastIngest atomic.Int64 // Unix ns of the last committed push; 0 none since start
	// revokedRefused counts pushes refused for a revoked certificate.
	revokedRefused atomic.Uint64
}

func (m *metrics) push(code string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.pushes == nil {
		m.pushes = map[string]uint64{}
	}
	m.pushes[code]++
}

func (m *metrics) ingested(leaves, bindings int, at time.Time) {
	m.leaves.Add(uint64(leaves))
	m.bindings.Add(uint64(bindings))
	m.lastIngest.Store(at.UnixNano())
}

func (m *metrics) pushCount(code string) uint64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.pushes[code]
}

// HealthOpts configure the health endpoint.
type HealthOpts struct {
	// StaleAfter makes /readyz fail when no push was committed for that
	// long (0: never; kiosks push only when they have new consents, so a
	// quiet night or weekend is normal).
	StaleAfter time.Duration
	// PingTimeout bounds the database check (default 2 s).
	PingTimeout time.Duration
}

// Readiness is the body of /readyz.
type Readiness struct {
	Ready      bool      `json:"ready"`
	Database   string    `json:"database"`                // "ok" or why not
	LastIngest time.Time `json:"last_ingest,omitzero"`    // last committed push since start
	AgeSeconds float64   `json:"last_ingest_age_seconds"` // -1 when none since start
	Problem    string    `json:"problem,omitempty"`
}

// HealthHandler serves /livez, /readyz and /metrics. Serve it on
// loopback (ventanilla-archive serve --health-listen): it needs no client
// certificate and holds no personal data, but it tells the archive's state.
func (a *Archive) HealthHandler(o HealthOpts) http.Handler {
	if o.PingTimeout <= 0 {
		o.PingTimeout = 2 * time.Second
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(&collector{a: a, timeout: o.PingTimeout})
	mux := http.NewServeMux()
	mux.HandleFunc("GET /livez", func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte("ok\n")) })
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		rd := a.Ready(r.Context(), o)
		w.Header().Set("Content-Type", "application/json")
		if !rd.Ready {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
		json.NewEncoder(w).Encode(&rd)
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	return mux
}

// Ready checks the database and the age of the last committed push.
func (a *Archive) Ready(ctx context.Context, o HealthOpts) Readiness {
	rd := Readiness{Ready: true, Database: "ok", AgeSeconds: -1}
	if err := a.ping(ctx, o.PingTimeout); err != nil {
		rd.Ready, rd.Database = false, "unreachable"
	}
	if ns := a.metrics.lastIngest.Load(); ns != 0 {
		rd.LastIngest = time.Unix(0, ns).UTC()
		rd.AgeSeconds = a.now().Sub(rd.LastIngest).Seconds()
	}
	if o.StaleAfter > 0 && rd.AgeSeconds >= 0 && rd.AgeSeconds > o.StaleAfter.Seconds() {
		rd.Ready, rd.Problem = false, "no push committed for longer than the configured stale age"
	}
	return rd
}

func (a *Archive) ping(ctx context.Context, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	return a.pool.Ping(ctx)
}

type collector struct {
	a       *Archive
	timeout time.Duration
}

var (
	descUp = prometheus.NewDesc("ventanilla_archive_database_up",
		"1 when the archive's PostgreSQL answered the scrape's ping.", nil, nil)
	descPushes = prometheus.NewDesc("ventanilla_archive_pushes_total",
		"Pushes answered since start, by result code.", []string{"result"}, nil)
	descLeaves = prometheus.NewDesc("ventanilla_archive_leaves_ingested_total",
		"Consent records newly stored since start (all kiosks).", nil, nil)
	descBindings = prometheus.NewDesc("ventanilla_archive_bindings_ingested_total",
		"Identity bindings newly stored since start (all kiosks).", nil, nil)
	descAge = prometheus.NewDesc("ventanilla_archive_last_ingest_age_seconds",
		"Seconds since the last committed push (-1 when none since start).", nil, nil)
	descKiosks = prometheus.NewDesc("ventanilla_archive_kiosks_enrolled",
		"Kiosks enrolled (read from the database at scrape).", nil, nil)
	descAlerts = prometheus.NewDesc("ventanilla_archive_alerts",
		"Fork and rewrite alerts held (read from the database at scrape); any increase needs an investigation.", nil, nil)
)

func (c *collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descUp, descPushes, descLeaves, descBindings, descAge, descKiosks, descAlerts} {
		ch <- d
	}
}

func (c *collector) Collect(ch chan<- prometheus.Metric) {
	m := &c.a.metrics
	for _, code := range pushCodes {
		ch <- prometheus.MustNewConstMetric(descPushes, prometheus.CounterValue, float64(m.pushCount(code)), code)
	}
	ch <- prometheus.MustNewConstMetric(descLeaves, prometheus.CounterValue, float64(m.leaves.Load()))
	ch <- prometheus.MustNewConstMetric(descBindings, prometheus.CounterValue, float64(m.bindings.Load()))
	age := -1.0
	if ns := m.lastIngest.Load(); ns != 0 {
		age = c.a.now().Sub(time.Unix(0, ns)).Seconds()
	}
	ch <- prometheus.MustNewConstMetric(descAge, prometheus.GaugeValue, age)
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	var kiosks, alerts int64
	err := c.a.pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM kiosks), (SELECT count(*) FROM alerts)`).Scan(&kiosks, &alerts)
	if err != nil {
		ch <- prometheus.MustNewConstMetric(descUp, prometheus.GaugeValue, 0)
		return
	}
	ch <- prometheus.MustNewConstMetric(descUp, prometheus.GaugeValue, 1)
	ch <- prometheus.MustNewConstMetric(descKiosks, prometheus.GaugeValue, float64(kiosks))
	ch <- prometheus.MustNewConstMetric(descAlerts, prometheus.GaugeValue, float64(alerts))
}
