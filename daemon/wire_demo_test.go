//go:build demo

package daemon

import (
	"io"
	"net/http"
	"regexp"
	"testing"
)

// TestKioskWiredSimulated starts the daemon with the simulated kiosk and
// checks that the UI is served with its token and the API answers.
func TestKioskWiredSimulated(t *testing.T) {
	cfg := testConfig(t)
	cfg.KioskAPI.Listen = freeLoopbackAddr(t)
	cfg.KioskAPI.Simulate = true
	cfg.KioskAPI.Operators = map[string]string{"op-001": cheapPIN(t)}
	n := newRecNotifier()
	startDaemon(t, Options{Config: cfg, Notifier: n, wire: func(s *System) { wireKiosk(s, kioskParts{}) },
		ClockSynced: func() (bool, error) { return true, nil }})
	n.waitFor(t, "READY=1")
	base := "http://" + cfg.KioskAPI.Listen
	resp, err := http.Get(base + "/")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := regexp.MustCompile(`name="ventanilla-token" content="([A-Za-z0-9_-]{43})"`).FindSubmatch(page)
	if resp.StatusCode != 200 || m == nil || resp.Header.Get("Content-Security-Policy") == "" {
		t.Fatalf("index: %d, token found %v", resp.StatusCode, m != nil)
	}
	req, _ := http.NewRequest("GET", base+"/api/v1/state", nil)
	req.Header.Set("X-Ventanilla-Token", string(m[1]))
	resp, err = http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("state: %v %v", err, resp)
	}
	resp.Body.Close()
	var rep HealthReport
	getJSON(t, unixClient(cfg.SocketPath()), "GET", "/v1/health", &rep)
	found := false
	for _, c := range rep.Conditions {
		found = found || c.Code == condKioskSimulated
	}
	if !rep.Ready || !found {
		t.Fatalf("health = %+v; want ready with %s shown", rep, condKioskSimulated)
	}
}
