package archive_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ventanilla-mx/ventanilla/archive"
	"github.com/ventanilla-mx/ventanilla/consent"
)

// TestHealthReadinessAndMetrics: /readyz reflects the database and the
// age of the last committed push; /metrics counts leaves and bindings and
// carries no kiosk id, record id or credential anywhere; with PostgreSQL
// stopped, readiness fails and database_up is 0.
func TestHealthReadinessAndMetrics(t *testing.T) {
	db, a, k := setup(t)
	code, rd := readyz(t, a, archive.HealthOpts{})
	if code != http.StatusOK || !rd.Ready || rd.AgeSeconds != -1 {
		t.Fatalf("fresh archive: %d %+v", code, rd)
	}
	ingestBound(t, a, k)
	code, rd = readyz(t, a, archive.HealthOpts{StaleAfter: time.Hour})
	if code != http.StatusOK || rd.AgeSeconds < 0 || rd.LastIngest.IsZero() {
		t.Fatalf("after a push: %d %+v", code, rd)
	}
	if code, rd = readyz(t, a, archive.HealthOpts{StaleAfter: time.Nanosecond}); code != http.StatusServiceUnavailable || rd.Problem == "" {
		t.Fatalf("stale ingest still ready: %d %+v", code, rd)
	}
	if got := scrape(t, a, "ventanilla_archive_leaves_ingested_total"); got != "6" {
		t.Fatalf("leaves counted %s, want 6", got)
	}
	if got := scrape(t, a, "ventanilla_archive_bindings_ingested_total"); got != "3" {
		t.Fatalf("bindings counted %s, want 3", got)
	}
	if got := scrape(t, a, "ventanilla_archive_kiosks_enrolled"); got != "1" {
		t.Fatalf("kiosks %s", got)
	}
	body := metricsText(t, a)
	forbidden := []string{k.ID, cred.Value}
	for _, raw := range k.Records {
		r, err := consent.ParseRecord(raw)
		if err != nil {
			t.Fatal(err)
		}
		forbidden = append(forbidden, r.ID.String(), r.Requests[0])
	}
	for _, s := range forbidden {
		if strings.Contains(body, s) {
			t.Fatalf("metrics carry %q", s)
		}
	}
	if m := regexp.MustCompile(`\{[^}]*\}`).FindAllString(body, -1); len(m) != 7 {
		t.Fatalf("labelled series %v: only the 7 push results may carry a label", m)
	}
	if err := db.Cluster.Stop(); err != nil {
		t.Fatal(err)
	}
	if code, rd = readyz(t, a, archive.HealthOpts{PingTimeout: 2 * time.Second}); code != http.StatusServiceUnavailable || rd.Database == "ok" {
		t.Fatalf("database stopped, still ready: %d %+v", code, rd)
	}
	if got := scrape(t, a, "ventanilla_archive_database_up"); got != "0" {
		t.Fatalf("database_up %s with PostgreSQL stopped", got)
	}
}

// metricsText is the health handler's /metrics.
func metricsText(t *testing.T, a *archive.Archive) string {
	t.Helper()
	_, b := healthGet(t, a, archive.HealthOpts{}, "/metrics")
	return string(b)
}

// scrape reads one sample from the health handler's /metrics.
func scrape(t *testing.T, a *archive.Archive, name string) string {
	t.Helper()
	body := metricsText(t, a)
	for _, line := range strings.Split(body, "\n") {
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			return v
		}
	}
	t.Fatalf("metric %s not in:\n%s", name, body)
	return ""
}

func readyz(t *testing.T, a *archive.Archive, o archive.HealthOpts) (int, archive.Readiness) {
	t.Helper()
	code, b := healthGet(t, a, o, "/readyz")
	var rd archive.Readiness
	if err := json.Unmarshal(b, &rd); err != nil {
		t.Fatal(err)
	}
	return code, rd
}

// healthGet serves a's health handler with o for one GET of path.
func healthGet(t *testing.T, a *archive.Archive, o archive.HealthOpts, path string) (int, []byte) {
	t.Helper()
	srv := httptest.NewServer(a.HealthHandler(o))
	defer srv.Close()
	resp, err := http.Get(srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b
}
