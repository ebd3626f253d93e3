package daemon

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/coreos/go-systemd/v22/activation"

	"github.com/ventanilla-mx/ventanilla/daemon/diagapi"
	"github.com/ventanilla-mx/ventanilla/health"
)

// diagServer is the technician's API on a unix socket, authorised by the
// kernel's view of the peer (SO_PEERCRED).
type diagServer struct {
	mux    *http.ServeMux
	policy policy
	log    *slog.Logger
}

func newDiagServer(p policy, log *slog.Logger) *diagServer {
	return &diagServer{mux: http.NewServeMux(), policy: p, log: log}
}

// handle registers h for pattern, refusing peers without need.
func (d *diagServer) handle(pattern string, need access, h http.Handler) {
	d.mux.Handle(pattern, d.authorize(need, h))
}

func (d *diagServer) authorize(need access, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, ok := peerFrom(r.Context())
		if !ok || !d.policy.allows(p, need) {
			d.log.Warn("diagnostics request refused", "path", r.URL.Path, "uid", p.uid, "pid", p.pid)
			writeError(w, http.StatusForbidden, "permission denied: join the technician group (or admin group for this action), or use sudo")
			return
		}
		h.ServeHTTP(w, r)
	})
}

// listenUnix creates the socket: removes a stale one, binds, and sets mode
// and group before anyone can connect meaningfully.
func listenUnix(path string, mode os.FileMode, gid int) (net.Listener, error) {
	if st, err := os.Lstat(path); err == nil {
		if st.Mode()&os.ModeSocket == 0 {
			return nil, fmt.Errorf("diagnostics: %s exists and is not a socket; remove it", path)
		}
		if err := os.Remove(path); err != nil {
			return nil, fmt.Errorf("diagnostics: remove stale socket: %w", err)
		}
	}
	ln, err := net.Listen("unix", path)
	if err != nil {
		return nil, fmt.Errorf("diagnostics: listen on %s: %w", path, err)
	}
	if gid >= 0 {
		if err := os.Chown(path, -1, gid); err != nil {
			ln.Close()
			return nil, fmt.Errorf("diagnostics: chown socket to gid %d: %w", gid, err)
		}
	}
	if err := os.Chmod(path, mode); err != nil {
		ln.Close()
		return nil, fmt.Errorf("diagnostics: chmod socket: %w", err)
	}
	return ln, nil
}

// activatedListener returns the diagnostics socket systemd passed in
// (ventanillad.socket: created by root with the technicians' group, which
// the sandboxed daemon could not chown), or nil when started without one.
// Any other passed socket is a unit misconfiguration.
func activatedListener(path string, log *slog.Logger) (net.Listener, error) {
	lns, err := activation.Listeners()
	if err != nil {
		return nil, fmt.Errorf("diagnostics: sockets from systemd: %w", err)
	}
	var found net.Listener
	for _, ln := range lns {
		switch {
		case ln == nil:
		case found == nil && ln.Addr().Network() == "unix" && ln.Addr().String() == path:
			found = ln
		default:
			log.Warn("ignoring a socket systemd passed that is not diagnostics.socket", "addr", ln.Addr().String(), "want", path)
			ln.Close()
		}
	}
	if len(lns) > 0 && found == nil {
		return nil, fmt.Errorf("diagnostics: systemd passed sockets but none at %s: make ventanillad.socket's ListenStream match diagnostics.socket", path)
	}
	return found, nil
}

// serveHTTP serves srv on ln until ctx is done, then shuts it down within
// grace. It is meant to be run by the daemon's group.
func serveHTTP(ctx context.Context, srv *http.Server, ln net.Listener, grace time.Duration) error {
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	err := srv.Shutdown(sctx)
	if serr := <-errc; !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	return err
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

func writeError(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, code, map[string]string{"error": msg})
}

func healthHandler(reg *health.Registry) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ok, blocking := reg.Ready()
		rep := diagapi.HealthReport{Ready: ok, NotReady: blocking, Conditions: reg.Visible()}
		if rep.Conditions == nil {
			rep.Conditions = []health.State{}
		}
		code := http.StatusOK
		if !ok {
			code = http.StatusServiceUnavailable
		}
		writeJSON(w, code, rep)
	})
}

func selftestHandler(reg *health.Registry) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		res := reg.RunChecks(r.Context())
		ok := true
		for _, c := range res {
			ok = ok && c.OK
		}
		writeJSON(w, http.StatusOK, map[string]any{"ok": ok, "checks": res})
	})
}

func logLevelHandler(lv *slog.LevelVar, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Level string `json:"level"`
		}
		if err := json.NewDecoder(io.LimitReader(r.Body, 1024)).Decode(&body); err != nil {
			writeError(w, http.StatusBadRequest, "body must be JSON like {\"level\":\"debug\"}")
			return
		}
		var l slog.Level
		if err := l.UnmarshalText([]byte(body.Level)); err != nil {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("level %q is not one of debug, info, warn, error", body.Level))
			return
		}
		lv.Set(l)
		log.Info("log level changed", "level", l.String())
		writeJSON(w, http.StatusOK, map[string]string{"level": l.String()})
	})
}
