package daemon

import (
	"context"
	"net/http"
	"os"
	"runtime"
	"time"

	"github.com/ventanilla-mx/ventanilla/daemon/diagapi"
	"github.com/ventanilla-mx/ventanilla/health"
	"github.com/ventanilla-mx/ventanilla/session/kioskapi"
)

func healthCheck(name string, run func(ctx context.Context) error) health.Check {
	return health.Check{Name: name, Run: run}
}

// routes registers the built-in diagnostics endpoints.
func (s *System) routes() {
	s.diag.handle("GET /v1/health", readAccess, healthHandler(s.Health))
	s.diag.handle("GET /v1/status", readAccess, http.HandlerFunc(s.serveStatus))
	s.diag.handle("GET /metrics", readAccess, metricsHandler(s.Metrics))
	s.diag.handle("GET /v1/devices", readAccess, http.HandlerFunc(s.serveDevices))
	s.diag.handle("POST /v1/selftest", writeAccess, selftestHandler(s.Health))
	s.diag.handle("PUT /v1/loglevel", writeAccess, logLevelHandler(s.Level, s.Log))
}

// publicMux is what the optional loopback TCP listener serves: metrics and
// health only, because it has no peer credentials to check; and only to a
// loopback Host, so a DNS-rebinding page in a browser cannot read it.
func (s *System) publicMux() http.Handler {
	m := http.NewServeMux()
	m.Handle("GET /v1/health", healthHandler(s.Health))
	m.Handle("GET /metrics", metricsHandler(s.Metrics))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !kioskapi.LoopbackHost(r.Host) {
			writeError(w, http.StatusMisdirectedRequest, "this listener answers only to a loopback host name (localhost, 127.0.0.1, [::1])")
			return
		}
		m.ServeHTTP(w, r)
	})
}

func (s *System) serveStatus(w http.ResponseWriter, r *http.Request) {
	ready, _ := s.Health.Ready()
	st := diagapi.Status{
		Version: Version, GoVersion: runtime.Version(), PID: os.Getpid(),
		Started: s.Started, Uptime: s.now().Sub(s.Started).Round(time.Second).String(),
		Summary: s.Health.Summary(), Ready: ready, Config: s.Config.Summary(),
		Conditions: s.Health.Visible(), Loops: s.loops.states(),
	}
	if st.Conditions == nil {
		st.Conditions = []health.State{}
	}
	writeJSON(w, http.StatusOK, st)
}
