package audit

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

// The hammer is this test binary run again as another local user (uid
// 65534, like the attacker of issue 17), making wrong PIN attempts.
const hammerEnv = "VENTANILLA_AUDIT_HAMMER" // "<base URL> <token> <attempts>"

func hammerMain() {
	var base, token string
	var n int
	fmt.Sscan(os.Getenv(hammerEnv), &base, &token, &n)
	for range n {
		req, _ := http.NewRequest("POST", base+"/api/v1/operator/login", strings.NewReader(`{"operator":"op-001","pin":"000000"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Ventanilla-Token", token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			fmt.Println("error")
			continue
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		fmt.Println(resp.StatusCode)
	}
	os.Exit(0)
}

// hammer runs n wrong attempts as uid 65534 and returns the statuses.
func hammer(t *testing.T, l *live, n int) []string {
	dir, err := os.MkdirTemp("", "audit-hammer")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	_ = os.Chmod(dir, 0o755)
	self, _ := os.Executable()
	bin := filepath.Join(dir, "hammer")
	raw, err := os.ReadFile(self)
	if err != nil || os.WriteFile(bin, raw, 0o755) != nil {
		t.Fatalf("copy the test binary: %v", err)
	}
	cmd := exec.Command(bin, "-test.run=^$")
	cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%s %s %d", hammerEnv, l.base, l.token, n))
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("hammer: %v", err)
	}
	return strings.Fields(string(out))
}

// lockoutAttacks (finding 6): another local user hammering wrong PINs
// must not lock the clerk out, and its own lockout survives a restart.
func lockoutAttacks(t *testing.T, l *live, ta *tally) {
	const class = "6 PIN lockout"
	if os.Geteuid() != 0 {
		t.Logf("%s: not root, so no second local user to attack from; skipped", class)
		return
	}
	codes := hammer(t, l, 8)
	ta.add(t, class, "(control) the hammer is locked after 5 failures", len(codes) == 8 && codes[7] == "429")
	code, _, _ := l.do("POST", "/api/v1/operator/login", `{"operator":"`+opID+`","pin":"`+opPIN+`"}`)
	ta.add(t, class, "clerk locked out by another user's wrong PINs", code == 200)
	l.stop()
	l.start()
	codes = hammer(t, l, 1)
	ta.add(t, class, "restart clears the hammer's lockout", len(codes) == 1 && codes[0] == "429")
	raw, _ := os.ReadFile(filepath.Join(l.env.Config.Paths.StateDir, "kiosk", "lockout.json"))
	ta.add(t, class, "PIN in the lockout store", len(raw) > 0 && !strings.Contains(string(raw), "000000") && !strings.Contains(string(raw), opPIN))
}
