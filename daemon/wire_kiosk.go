package daemon

import (
	"bufio"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ventanilla-mx/ventanilla/daemon/config"
	"github.com/ventanilla-mx/ventanilla/health"
	"github.com/ventanilla-mx/ventanilla/session"
	"github.com/ventanilla-mx/ventanilla/session/kioskapi"
	"github.com/ventanilla-mx/ventanilla/session/operator"
	"github.com/ventanilla-mx/ventanilla/web"
)

const (
	condKioskListen    health.Code = "kiosk.listen_failed"
	condKioskNoPorts   health.Code = "kiosk.parts_missing"
	condKioskOperators health.Code = "kiosk.no_operators"
	condKioskLockout   health.Code = "kiosk.operator_lockout"
	condKioskSimulated health.Code = "kiosk.simulated"
)

type kioskHealth struct {
	listen, noPorts, operators, lockout, simulated *health.Tracker
}

func declareKiosk(reg *health.Registry) *kioskHealth {
	return &kioskHealth{
		listen: reg.Declare(health.Condition{Code: condKioskListen, Severity: health.Critical,
			Message: "the kiosk API could not listen on kiosk_api.listen: another process holds the port, or the address is wrong"}),
		noPorts: reg.Declare(health.Condition{Code: condKioskNoPorts, Severity: health.Warning, NotReady: true,
			Message: "the session engine lacks a mandatory part (consent ledger, INE uplink, locked memory, or both capture devices), so sessions are refused: the detail names what is missing and the other conditions say why"}),
		operators: reg.Declare(health.Condition{Code: condKioskOperators, Severity: health.Warning, NotReady: true,
			Message: "no operator can log in: add PIN hashes under [kiosk_api.operators] or kiosk_api.operators_file (ventanillactl kiosk hash-pin)"}),
		lockout: reg.Declare(health.Condition{Code: condKioskLockout, Severity: health.Warning,
			Message: "operator logins are locked after repeated wrong PINs; they reopen after kiosk_api.login_lockout (ventanillactl kiosk lockouts shows the time left; ventanillactl kiosk unlock lifts them)"}),
		simulated: reg.Declare(health.Condition{Code: condKioskSimulated, Severity: health.Warning,
			Message: "kiosk_api.simulate is on: capture, consent and INE are simulated and no verification is real; turn it off in production"}),
	}
}

// wireKiosk builds the session engine over the parts that were built, the
// operator logins and the loopback kiosk API with the embedded UI.
func wireKiosk(s *System, parts kioskParts) {
	c := s.Config.KioskAPI
	if c.Listen == "" {
		return
	}
	h := declareKiosk(s.Health)
	auth, err := operatorAuth(s, h)
	if err != nil {
		h.operators.Set(err.Error())
		return
	}
	lockoutRoutes(s, auth) // a technician can see and lift lockouts even when sessions cannot run
	ports, err := sessionPorts(s, h, parts)
	if err != nil {
		h.noPorts.Set(err.Error())
		return
	}
	engine, err := session.New(ports, sessionOpts(s))
	if err != nil {
		h.noPorts.Set(err.Error())
		return
	}
	api, err := kioskapi.New(engine, auth, &kioskapi.Opts{UI: web.UI(), Preview: c.Preview, Log: s.Log.With("subsystem", "kiosk"),
		AllowedUIDs: allowedUIDs(c.AllowedUIDs, c.AllowedUsers, s.Log), Brand: kioskBrand(s)})
	if err != nil {
		h.listen.Set(err.Error())
		return
	}
	// Closed before the ledger and the locked memory it was built on: a
	// session running at shutdown is ended, its consent bound and its
	// credential wiped while both are open.
	s.OnClose("session-engine", func() error { engine.Close(); return nil })
	// The readiness watcher goes through the engine's lock every round: a
	// wedged engine stops its beats, and the watchdog's pings.
	loop := s.loops.register("session-engine", s.Config.Health.LoopStallTime.D())
	s.Go("kiosk-readiness", watchReadiness(s.Health, engine, loop))
	s.Metrics.MustRegister(newSessionMetrics(s, engine))
	serveKiosk(s, h, api)
}

// allowedUIDs adds the uids of the named users and the daemon's own uid
// (its kiosk.api self-test) to a configured list; an empty list stays empty
// (any local user). A name that does not resolve is logged and left out:
// the list is still non-empty, so the API fails closed.
func allowedUIDs(list []int, names []string, log *slog.Logger) []int {
	if len(list) == 0 && len(names) == 0 {
		return nil
	}
	uids := slices.Clone(list)
	for _, name := range names {
		u, err := user.Lookup(name)
		if err != nil {
			log.Warn("kiosk: kiosk_api.allowed_users names an unknown user; it is not admitted", "user", name)
			continue
		}
		if uid, err := strconv.Atoi(u.Uid); err == nil {
			uids = append(uids, uid)
		}
	}
	return append(uids, os.Getuid())
}

// sessionPorts returns the engine's parts: the real ones (realPorts in
// wire_session.go), or simulated ones for a demonstration (demoPorts, only
// in a build with the demo tag).
func sessionPorts(s *System, h *kioskHealth, parts kioskParts) (session.Ports, error) {
	if !s.Config.KioskAPI.Simulate {
		return realPorts(s, parts)
	}
	return demoPorts(s, h)
}

func sessionOpts(s *System) *session.Opts {
	c := s.Config.Session
	t := c.Timeouts
	o := session.DefaultOpts()
	o.Notices = web.Notices()
	o.MinSimilarity, o.MaxFaceAttempts = c.MinSimilarity, c.MaxFaceAttempts
	o.MaxFingerAttempts, o.MaxResends = c.MaxFingerAttempts, c.MaxResends
	o.Timeouts = session.Timeouts{Notice: t.Notice.D(), Signature: t.Signature.D(), Consent: t.Consent.D(),
		Credential: t.Credential.D(), Biometrics: t.Biometrics.D(), Face: t.Face.D(), Finger: t.Finger.D(),
		Submit: t.Submit.D(), Answer: t.Answer.D(), ClientLoss: t.ClientLoss.D(), Session: t.Session.D()}
	o.Now = s.now
	o.Log = s.Log.With("subsystem", "session")
	o.Readiness = kioskReadiness(s.Health, s.Config.KioskAPI.Simulate)
	return o
}

func operatorAuth(s *System, h *kioskHealth) (*operator.Auth, error) {
	c := s.Config.KioskAPI
	hashes, err := operatorHashes(c.Operators, c.OperatorsFile)
	if err != nil {
		return nil, err
	}
	o := operator.DefaultOpts()
	o.MaxFailures, o.Lockout, o.MinInterval, o.Idle = c.LoginMaxFailures, c.LoginLockout.D(), c.LoginInterval.D(), c.OperatorIdle.D()
	o.Now = s.now
	o.Store = lockoutStore(s)
	o.OnLockout = func(locked bool) {
		if !locked {
			h.lockout.Clear()
			return
		}
		h.lockout.Set("")
		time.AfterFunc(c.LoginLockout.D(), h.lockout.Clear)
	}
	auth, err := operator.New(hashes, o)
	if err == nil && auth.Enrolled() == 0 {
		h.operators.Set("")
	}
	if err == nil && auth.StoreDamaged() {
		s.Log.Warn("kiosk: the login lockout store was damaged; every client is locked out for one lockout period", "file", o.Store)
		h.lockout.Set("lockout store damaged")
		time.AfterFunc(c.LoginLockout.D(), h.lockout.Clear)
	}
	return auth, err
}

// lockoutStore is where login failures and lockouts outlive a restart:
// <state_dir>/kiosk/lockout.json (client names and counts, no PIN).
func lockoutStore(s *System) string {
	if s.Config.Paths.StateDir == "" {
		return ""
	}
	return filepath.Join(s.Config.Paths.StateDir, "kiosk", "lockout.json")
}

// operatorHashes merges the config's table with the optional file of
// "id hash" lines.
func operatorHashes(inline map[string]string, file string) (map[string]string, error) {
	out := make(map[string]string, len(inline))
	for k, v := range inline {
		out[k] = v
	}
	if file == "" {
		return out, nil
	}
	f, err := os.Open(file)
	if err != nil {
		return nil, fmt.Errorf("kiosk_api.operators_file: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		id, hash, ok := strings.Cut(line, " ")
		if !ok {
			return nil, fmt.Errorf("kiosk_api.operators_file %s:%d: want \"operator-id argon2id-hash\"", file, n)
		}
		hash = strings.TrimSpace(hash)
		if err := config.CheckPINHash(hash); err != nil {
			return nil, fmt.Errorf("kiosk_api.operators_file %s:%d: %w", file, n, err)
		}
		out[id] = hash
	}
	return out, sc.Err()
}

// serveKiosk serves the API with its own limits: header, body and idle
// timeouts, the connection cap, the peer's uid for the login lockout.
func serveKiosk(s *System, h *kioskHealth, api *kioskapi.Server) {
	ln, err := api.Listen(s.Config.KioskAPI.Listen)
	if err != nil {
		h.listen.Set(err.Error())
		return
	}
	srv := api.HTTPServer()
	url := "http://" + ln.Addr().String() + "/"
	s.Log.Info("kiosk UI ready", "url", url)
	s.Go("kiosk-api", func(ctx context.Context) error {
		return serveHTTP(ctx, srv, ln, s.Config.Shutdown.Timeout.D())
	})
	s.Health.RegisterCheck(health.Check{Name: "kiosk.api", Timeout: 3 * time.Second, Run: func(ctx context.Context) error {
		return probeKiosk(ctx, url, api.Token())
	}})
}

// probeKiosk asks the kiosk API for its state, as the screen does.
func probeKiosk(ctx context.Context, url, token string) error {
	req, err := http.NewRequestWithContext(ctx, "GET", url+"api/v1/state", nil)
	if err != nil {
		return err
	}
	req.Header.Set(kioskapi.TokenHeader, token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("kiosk API: %w", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("kiosk API: GET /api/v1/state answered %s", resp.Status)
	}
	return nil
}
