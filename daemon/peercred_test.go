package daemon

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/ventanilla-mx/ventanilla/daemon/config"
)

func TestPolicy(t *testing.T) {
	p := policy{selfUID: 1000, techGID: 50, adminGID: 60}
	tests := []struct {
		name  string
		peer  peer
		read  bool
		write bool
	}{
		{"root", peer{uid: 0, gids: []int{0}}, true, true},
		{"daemon's own user", peer{uid: 1000, gids: []int{1000}}, true, true},
		{"technician", peer{uid: 2000, gids: []int{2000, 50}}, true, false},
		{"admin", peer{uid: 2001, gids: []int{2001, 60}}, true, true},
		{"stranger", peer{uid: 2002, gids: []int{2002, 51}}, false, false},
	}
	for _, tt := range tests {
		if got := p.allows(tt.peer, readAccess); got != tt.read {
			t.Errorf("%s read = %v", tt.name, got)
		}
		if got := p.allows(tt.peer, writeAccess); got != tt.write {
			t.Errorf("%s write = %v", tt.name, got)
		}
	}
	none := policy{selfUID: 1000, techGID: -1, adminGID: -1}
	if none.allows(peer{uid: 5, gids: []int{-1}}, readAccess) {
		t.Error("unconfigured groups admitted a stranger")
	}
}

// childEnv makes the test binary act as a diagnostics client (see TestMain).
const childEnv = "VENTANILLA_TEST_DIAG_CLIENT"

// daemonEnv makes the test binary run the daemon on a config file (see
// TestSocketActivation).
const daemonEnv = "VENTANILLA_TEST_DAEMON_CONFIG"

func TestMain(m *testing.M) {
	if sock := os.Getenv(childEnv); sock != "" {
		os.Exit(diagClientChild(sock))
	}
	if cfg := os.Getenv(daemonEnv); cfg != "" {
		os.Exit(daemonChild(cfg))
	}
	os.Exit(m.Run())
}

// daemonChild runs the foundation until SIGTERM, as ventanillad would.
func daemonChild(path string) int {
	cfg, err := config.Load(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	if err := Run(ctx, Options{Config: cfg, wire: func(*System) {}}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// diagClientChild GETs /v1/health (or POSTs /v1/selftest when asked) and
// prints the status code.
func diagClientChild(sock string) int {
	req, _ := http.NewRequest(http.MethodGet, "http://d/v1/health", nil)
	if os.Getenv(childEnv+"_WRITE") != "" {
		req, _ = http.NewRequest(http.MethodPost, "http://d/v1/selftest", nil)
	}
	resp, err := unixClient(sock).Do(req)
	if err != nil {
		fmt.Println("error:", err)
		return 1
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	fmt.Println(resp.StatusCode)
	return 0
}

// TestPeerCredentials: the kernel's SO_PEERCRED decides. Root (this test)
// is admitted; a child process running as another uid is refused.
func TestPeerCredentials(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("needs root to start a child with another uid")
	}
	dir := t.TempDir()
	cfg := testConfig(t)
	cfg.Paths.RunDir = filepath.Join(dir, "run")
	cfg.Diagnostics.SocketMode = modeWorld
	cfg.Diagnostics.TechnicianGroup = techGroup
	n := newRecNotifier()
	startDaemon(t, Options{Config: cfg, Notifier: n, ClockSynced: func() (bool, error) { return true, nil }})
	n.waitFor(t, "READY=1")
	for _, d := range []string{filepath.Dir(dir), dir, cfg.Paths.RunDir} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if code := getJSON(t, unixClient(cfg.SocketPath()), "GET", "/v1/health", nil); code != http.StatusOK {
		t.Fatalf("root got %d", code)
	}
	if gid, err := lookupGID(techGroup); err != nil || gid != techGID {
		t.Skipf("group %q is not gid %d here", techGroup, techGID)
	}
	bin := copyTestBinary(t, dir)
	child := func(groups []uint32, write bool) string {
		cmd := exec.Command(bin, "-test.run=^$")
		cmd.Env = append(os.Environ(), childEnv+"="+cfg.SocketPath())
		if write {
			cmd.Env = append(cmd.Env, childEnv+"_WRITE=1")
		}
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534, Groups: groups}}
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("child: %v: %s", err, out)
		}
		return strings.TrimSpace(string(out))
	}
	if got := child(nil, false); got != "403" {
		t.Fatalf("uid 65534 got %q, want 403", got)
	}
	// A member of the technician group (a supplementary group, seen through
	// SO_PEERGROUPS) may read but not write.
	if got := child([]uint32{techGID}, false); got != "200" {
		t.Fatalf("technician reading got %q, want 200", got)
	}
	if got := child([]uint32{techGID}, true); got != "403" {
		t.Fatalf("technician running a self-test got %q, want 403", got)
	}
}

// copyTestBinary puts the running test binary where another uid can run it.
func copyTestBinary(t *testing.T, dir string) string {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(self)
	if err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(dir, "client.test")
	if err := os.WriteFile(dst, b, 0o755); err != nil {
		t.Fatal(err)
	}
	return dst
}

// The technician group of the peer-credential test: Debian's "users".
const (
	techGroup = "users"
	techGID   = 100
)
