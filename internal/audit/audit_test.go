package audit

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ventanilla-mx/ventanilla/daemon"
	"github.com/ventanilla-mx/ventanilla/daemon/daemontest"
	"github.com/ventanilla-mx/ventanilla/internal/testenv"
	"github.com/ventanilla-mx/ventanilla/session/operator"
)

var run = flag.Bool("audit", false, "replay the attacks of issue 17 against a live in-process kiosk")

const (
	opID  = "op-001"
	opPIN = "246810"
)

// tally counts attacks per class.
type tally struct {
	mu    sync.Mutex
	order []string
	tried map[string]int
	held  map[string][]string // what got through
}

func (ta *tally) add(t *testing.T, class, attack string, refused bool) {
	ta.mu.Lock()
	defer ta.mu.Unlock()
	if ta.tried[class] == 0 {
		ta.order = append(ta.order, class)
	}
	ta.tried[class]++
	if !refused {
		ta.held[class] = append(ta.held[class], attack)
		t.Errorf("%s: NOT refused: %s", class, attack)
	}
}

func (ta *tally) print(t *testing.T) {
	fmt.Println("issue 17 audit: attack class                         tried refused")
	for _, c := range ta.order {
		fmt.Printf("  %-50s %5d %7d\n", c, ta.tried[c], ta.tried[c]-len(ta.held[c]))
	}
	for _, c := range ta.order {
		for _, a := range ta.held[c] {
			t.Logf("got through (%s): %s", c, a)
		}
	}
}

// live is the daemon under attack.
type live struct {
	t       *testing.T
	env     *daemontest.Env
	base    string // http://127.0.0.1:port
	metrics string // 127.0.0.1:port of the opt-in TCP exporter
	token   string // the per-boot page token, as any local user reads it
	cancel  func()
	done    chan error
}

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

type readyNotifier chan struct{}

func (n readyNotifier) Notify(s string) error {
	if s == "READY=1" {
		close(n)
	}
	return nil
}

func startLive(t *testing.T) *live {
	if !daemon.DemoBuild {
		testenv.Require(t, "the simulated kiosk (go test -tags demo)", errors.New("built without the demo tag"))
	}
	hash, err := operator.HashPIN(opPIN, operator.Params{Memory: 64, Time: 1, Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	addr, maddr := freeAddr(t), freeAddr(t)
	extra := fmt.Sprintf("[kiosk_api]\nlisten = %q\nsimulate = true\npreview = true\nlogin_interval = \"0s\"\n"+
		"[kiosk_api.operators]\n%s = %q\n[session.timeouts]\nclient_loss = \"1s\"\n", addr, opID, hash)
	env := daemontest.Provision(t, daemontest.Opts{Extra: extra})
	env.Config.Diagnostics.MetricsListen = maddr
	l := &live{t: t, env: env, base: "http://" + addr, metrics: maddr}
	l.start()
	t.Cleanup(l.stop)
	return l
}

func (l *live) start() {
	ctx, cancel := context.WithCancel(context.Background())
	l.cancel, l.done = cancel, make(chan error, 1)
	ready := make(readyNotifier)
	go func() {
		l.done <- daemon.Run(ctx, daemon.Options{Config: l.env.Config, Notifier: ready, Stderr: io.Discard,
			KeepDumpable: true, ClockSynced: func() (bool, error) { return true, nil }})
	}()
	select {
	case <-ready:
	case err := <-l.done:
		l.t.Fatalf("daemon stopped before READY: %v", err)
	}
	l.token = l.pageToken()
}

func (l *live) stop() {
	if l.cancel != nil {
		l.cancel()
		<-l.done
		l.cancel = nil
	}
}

var tokenRE = regexp.MustCompile(`name="ventanilla-token" content="([A-Za-z0-9_-]+)"`)

// pageToken reads the token from GET /, as any local process can.
func (l *live) pageToken() string {
	resp, err := http.Get(l.base + "/")
	if err != nil {
		l.t.Fatal(err)
	}
	defer resp.Body.Close()
	page, _ := io.ReadAll(resp.Body)
	m := tokenRE.FindSubmatch(page)
	if m == nil {
		l.t.Fatal("no token in the page")
	}
	return string(m[1])
}

// do sends one request with the page token and optional headers
// ("Authorization", "Bearer x", ...); it returns the status and body.
func (l *live) do(method, path, body string, hdr ...string) (int, string, http.Header) {
	req, _ := http.NewRequest(method, l.base+path, strings.NewReader(body))
	req.Header.Set("X-Ventanilla-Token", l.token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	resp, err := http.DefaultClient.Do(req.WithContext(ctx))
	if err != nil {
		return 0, err.Error(), nil
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	return resp.StatusCode, string(b), resp.Header
}

// firstBytes opens a GET and returns its status and the first bytes.
func (l *live) firstBytes(path string, hdr ...string) (int, string) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", l.base+path, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, ""
	}
	defer resp.Body.Close()
	buf := make([]byte, 512)
	n, _ := io.ReadAtLeast(resp.Body, buf, 1)
	return resp.StatusCode, string(buf[:n])
}

// TestAudit replays every attack class and prints tried / refused.
func TestAudit(t *testing.T) {
	if !*run {
		t.Skip("the audit runs with -audit (make audit)")
	}
	ta := &tally{tried: map[string]int{}, held: map[string][]string{}}
	defer ta.print(t)
	l := startLive(t)
	clerk := l.login(t)
	screen := l.screen(t, clerk)
	previewAttacks(t, l, ta, clerk)
	answerAttacks(t, l, ta, clerk, screen)
	metricsAttacks(t, l, ta)
	apiAttacks(t, l, ta)
	lockoutAttacks(t, l, ta)
}

// screen opens the clerk's event stream (the attached kiosk screen) and
// drains it; the returned func closes it.
func (l *live) screen(t *testing.T, clerk string) func() {
	req, _ := http.NewRequest("GET", l.base+"/api/v1/events", nil)
	req.Header.Set("X-Ventanilla-Token", l.token)
	req.Header.Set("Authorization", "Bearer "+clerk)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("clerk stream: %v", err)
	}
	go io.Copy(io.Discard, resp.Body)
	t.Cleanup(func() { resp.Body.Close() })
	return func() { resp.Body.Close() }
}

// login logs the clerk in and returns the bearer token.
func (l *live) login(t *testing.T) string {
	code, body, _ := l.do("POST", "/api/v1/operator/login", `{"operator":"`+opID+`","pin":"`+opPIN+`"}`)
	m := regexp.MustCompile(`"token":"([^"]+)"`).FindStringSubmatch(body)
	if code != 200 || m == nil {
		t.Fatalf("clerk login: %d %s", code, body)
	}
	return m[1]
}

// readLines reads an SSE stream for d and returns what came.
func readFor(resp *http.Response, d time.Duration) string {
	var b strings.Builder
	done := make(chan struct{})
	go func() {
		defer close(done)
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			b.WriteString(sc.Text() + "\n")
		}
	}()
	time.Sleep(d) // the attacker listens for a while
	resp.Body.Close()
	<-done
	return b.String()
}

func init() {
	if os.Getenv(hammerEnv) != "" {
		hammerMain()
	}
}
