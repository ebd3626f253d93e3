package daemon

import (
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/ventanilla-mx/ventanilla/health"
	"github.com/ventanilla-mx/ventanilla/internal/testenv"
	"github.com/ventanilla-mx/ventanilla/session/operator"
)

func freeLoopbackAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// cheapPIN is a hash of PIN 246810 with argon2id parameters far below the
// floor (fast in tests; the config's table takes it, operators_file not).
func cheapPIN(t *testing.T) string {
	t.Helper()
	h, err := operator.HashPIN("246810", operator.Params{Memory: 64, Time: 1, Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// requireDemo: the test runs the simulated kiosk, which only a build with
// the demo tag has (make test sets it).
func requireDemo(t *testing.T) {
	t.Helper()
	if !DemoBuild {
		testenv.Require(t, "the simulated kiosk (go test -tags demo)", errors.New("built without the demo tag"))
	}
}

// TestOperatorsFileHeldToTheFloor: a hash in kiosk_api.operators_file is
// held to the same argon2id floor as the config's table (a cheap or
// non-PHC line refuses the file), and the error never quotes the line.
func TestOperatorsFileHeldToTheFloor(t *testing.T) {
	weak := cheapPIN(t)
	for name, line := range map[string]string{"cheap": "op-001 " + weak, "plain PIN": "op-001 246810"} {
		file := filepath.Join(t.TempDir(), "operators")
		if err := os.WriteFile(file, []byte(line+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := operatorHashes(nil, file)
		if err == nil {
			t.Fatalf("%s: operators_file accepted", name)
		}
		if strings.Contains(err.Error(), "246810") || strings.Contains(err.Error(), weak) {
			t.Fatalf("%s: the error quotes the line: %v", name, err)
		}
	}
	strong := "$argon2id$v=19$m=65536,t=3,p=2$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g"
	file := filepath.Join(t.TempDir(), "operators")
	if err := os.WriteFile(file, []byte("# clerks\nop-002 "+strong+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := operatorHashes(nil, file)
	if err != nil || got["op-002"] != strong {
		t.Fatalf("a hash at the floor: %v %v", got, err)
	}
}

// TestNotReadyKioskRefusesSessions (issue 13, finding 1): a daemon whose
// health says not ready refuses to start a session through the kiosk API,
// naming the condition for the clerk; once it clears, a session starts.
func TestNotReadyKioskRefusesSessions(t *testing.T) {
	requireDemo(t)
	cfg := testConfig(t)
	cfg.KioskAPI.Listen = freeLoopbackAddr(t)
	cfg.KioskAPI.Simulate = true
	cfg.KioskAPI.Operators = map[string]string{"op-001": cheapPIN(t)}
	var cond *health.Tracker
	declare := func(s *System) {
		cond = s.Health.Declare(health.Condition{Code: "test.not_ready", Severity: health.Warning, NotReady: true, Message: "as disk.low"})
	}
	n := newRecNotifier()
	startDaemon(t, Options{Config: cfg, Notifier: n, wire: func(s *System) { declare(s); wireKiosk(s, kioskParts{}) },
		ClockSynced: func() (bool, error) { return true, nil }})
	n.waitFor(t, "READY=1")
	k := newKioskClient(t, "http://"+cfg.KioskAPI.Listen)
	k.call("POST", "/api/v1/operator/login", `{"operator":"op-001","pin":"246810"}`, 200)
	cond.Set("")
	m := k.call("POST", "/api/v1/sessions", `{}`, 503)
	if !strings.Contains(string(m), `"code":"not_ready"`) || !strings.Contains(string(m), `"reasons":["test.not_ready"]`) {
		t.Fatalf("claim while not ready: %s", m)
	}
	cond.Clear()
	k.call("POST", "/api/v1/sessions", `{}`, 201)
}

type kioskClient struct {
	t                   *testing.T
	base, token, bearer string
}

func newKioskClient(t *testing.T, base string) *kioskClient {
	resp, err := http.Get(base + "/")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := regexp.MustCompile(`name="ventanilla-token" content="([A-Za-z0-9_-]{43})"`).FindSubmatch(page)
	if m == nil {
		t.Fatal("no token in the page")
	}
	return &kioskClient{t: t, base: base, token: string(m[1])}
}

// call sends one JSON request and checks its status; a login's token is
// kept for the next calls.
func (k *kioskClient) call(method, path, body string, want int) []byte {
	k.t.Helper()
	req, _ := http.NewRequest(method, k.base+path, strings.NewReader(body))
	req.Header.Set("X-Ventanilla-Token", k.token)
	req.Header.Set("Content-Type", "application/json")
	if k.bearer != "" {
		req.Header.Set("Authorization", "Bearer "+k.bearer)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		k.t.Fatal(err)
	}
	data, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != want {
		k.t.Fatalf("%s %s = %d %s, want %d", method, path, resp.StatusCode, data, want)
	}
	if tok := regexp.MustCompile(`"token":"([^"]+)"`).FindSubmatch(data); tok != nil {
		k.bearer = string(tok[1])
	}
	return data
}
