package daemon

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
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

func TestMain(m *testing.M) {
	if sock := os.Getenv(childEnv); sock != "" {
		os.Exit(diagClientChild(sock))
	}
	os.Exit(m.Run())
}

// diagClientChild GETs /v1/health and prints the status code.
func diagClientChild(sock string) int {
	resp, err := unixClient(sock).Get("http://d/v1/health")
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
	bin := copyTestBinary(t, dir)
	cmd := exec.Command(bin, "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+cfg.SocketPath())
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v: %s", err, out)
	}
	if got := strings.TrimSpace(string(out)); got != "403" {
		t.Fatalf("uid 65534 got %q, want 403", got)
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
