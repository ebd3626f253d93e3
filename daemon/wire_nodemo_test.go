//go:build !demo

package daemon

import (
	"strings"
	"testing"
)

// TestSimulateRefusedWithoutDemoTag: a production build (no demo tag)
// given kiosk_api.simulate = true links no fake and refuses sessions,
// saying why.
func TestSimulateRefusedWithoutDemoTag(t *testing.T) {
	cfg := testConfig(t)
	cfg.KioskAPI.Listen = freeLoopbackAddr(t)
	cfg.KioskAPI.Simulate = true
	n := newRecNotifier()
	startDaemon(t, Options{Config: cfg, Notifier: n, wire: func(s *System) { wireKiosk(s, kioskParts{}) },
		ClockSynced: func() (bool, error) { return true, nil }})
	n.waitFor(t, "READY=1")
	var rep HealthReport
	getJSON(t, unixClient(cfg.SocketPath()), "GET", "/v1/health", &rep)
	found := false
	for _, c := range rep.NotReady {
		found = found || c.Code == condKioskNoPorts && strings.Contains(c.Detail, "-tags demo")
		if c.Code == condKioskSimulated {
			t.Fatalf("%s shown without simulated parts", condKioskSimulated)
		}
	}
	if rep.Ready || !found {
		t.Fatalf("health = %+v; want not ready with %s naming the demo tag", rep, condKioskNoPorts)
	}
}
