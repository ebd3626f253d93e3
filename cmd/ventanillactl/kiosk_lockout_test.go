package main

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ventanilla-mx/ventanilla/daemon/daemontest"
)

// TestKioskUnlock is issue 13, finding 6: a login lockout gave no
// duration and nothing but waiting could clear it. Through the real
// diagnostics socket of a running daemon, `kiosk lockouts` shows the time
// left and `kiosk unlock` lifts it, which the daemon logs with the
// technician's uid and a count, never the client list, an operator id or
// a PIN. The lockout is the one the daemon keeps across restarts.
func TestKioskUnlock(t *testing.T) {
	env := daemontest.Provision(t, daemontest.Opts{KioskID: "ctl-lock",
		Extra: fmt.Sprintf("[kiosk_api]\nlisten = %q\n", freeAddr(t))})
	store := filepath.Join(env.Dir, "state", "kiosk", "lockout.json")
	until := time.Now().Add(4 * time.Minute).UTC().Format(time.RFC3339Nano)
	if err := os.MkdirAll(filepath.Dir(store), 0o700); err != nil {
		t.Fatal(err)
	}
	body := `{"version":1,"clients":{"uid:4242":{"failures":0,"locked_until":"` + until + `"},"uid:7":{"failures":2}}}`
	if err := os.WriteFile(store, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	var log daemontest.LogBuffer
	cfgPath := runDaemon(t, env, &log)

	code, out, errOut := runCtl(t, "kiosk", "lockouts", "--config", cfgPath)
	if code != exitOK || !strings.Contains(out, "uid:4242") || !strings.Contains(out, "yes") || !strings.Contains(out, "3m5") && !strings.Contains(out, "4m0s") {
		t.Fatalf("lockouts: exit %d\n%s%s", code, out, errOut)
	}
	code, out, errOut = runCtl(t, "kiosk", "unlock", "--config", cfgPath)
	if code != exitOK || !strings.Contains(out, "1 client(s) were locked") {
		t.Fatalf("unlock: exit %d\n%s%s", code, out, errOut)
	}
	code, out, _ = runCtl(t, "kiosk", "lockouts", "--config", cfgPath)
	if code != exitOK || !strings.Contains(out, "no operator login is locked") {
		t.Fatalf("lockouts after unlock: exit %d\n%s", code, out)
	}
	raw, err := os.ReadFile(store)
	if err != nil || strings.Contains(string(raw), "locked_until") {
		t.Fatalf("the store still holds a lockout (%v): %s", err, raw)
	}
	logged := log.String()
	if !strings.Contains(logged, "lockouts lifted by a technician") || !strings.Contains(logged, fmt.Sprintf("uid=%d", os.Getuid())) {
		t.Fatalf("the lift is not in the log:\n%s", logged)
	}
	for _, line := range strings.Split(logged, "\n") {
		if strings.Contains(line, "lifted") && (strings.Contains(line, "uid:4242") || strings.Contains(line, "op-")) {
			t.Fatalf("the log line names a client or an operator: %s", line)
		}
	}
}

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}
