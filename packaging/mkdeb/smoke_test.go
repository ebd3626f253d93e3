package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// readyTimeout bounds the wait for the daemon's READY=1; it is a limit on
// waiting for an event, not a measured time.
const readyTimeout = 2 * time.Minute

// smokeTest runs the installed daemon as the unit's user with the
// installed config, refused writable+executable memory, waits for READY=1 on a notify socket, checks who may
// use the diagnostics socket, and stops it. Without systemd there is no
// socket activation: the daemon makes the socket itself in a directory
// made for it, and gives it to ventanilla-tech, which it may do only as a
// member of that group.
func smokeTest(t *testing.T) {
	t.Helper()
	makeRuntimeDir(t)
	notify, sockPath := notifySocket(t)
	cmd := asUser("ventanilla", []string{"video", "dialout", "ventanilla-tech"},
		"/usr/sbin/ventanillad", "--config", confFile)
	cmd.Env = append(cmd.Env, "NOTIFY_SOCKET="+sockPath, "GOTRACEBACK=single")
	// As MemoryDenyWriteExecute=yes: the daemon (and OpenCV in it) must run
	// without writable+executable memory.
	if underMDWE(t, cmd) {
		t.Log("daemon runs under PR_SET_MDWE (no W+X memory)")
	}
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			<-exited
		}
	}()
	waitReady(t, notify, exited, &logs)
	checkDiagAccess(t)
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := <-exited; err != nil {
		t.Errorf("daemon did not stop cleanly on SIGTERM: %v\n%s", err, logs.String())
	}
}

// makeRuntimeDir makes the socket's directory writable by the daemon.
func makeRuntimeDir(t *testing.T) {
	t.Helper()
	if err := os.MkdirAll(runDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("chown", "ventanilla:ventanilla", runDir).CombinedOutput(); err != nil {
		t.Fatalf("chown %s: %v\n%s", runDir, err, out)
	}
	t.Cleanup(func() { os.RemoveAll(runDir) })
}

// notifySocket listens for sd_notify datagrams where the service user can
// send them.
func notifySocket(t *testing.T) (*net.UnixConn, string) {
	t.Helper()
	dir, err := os.MkdirTemp("", "mkdeb-notify-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "notify.sock")
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	if err := os.Chmod(path, 0o666); err != nil {
		t.Fatal(err)
	}
	return conn, path
}

// waitReady reads notify datagrams until READY=1, the daemon's exit, or
// readyTimeout.
func waitReady(t *testing.T, conn *net.UnixConn, exited <-chan error, logs *bytes.Buffer) {
	t.Helper()
	ready := make(chan struct{})
	go func() {
		buf := make([]byte, 4096)
		for {
			n, err := conn.Read(buf)
			if err != nil {
				return
			}
			if strings.Contains("\n"+string(buf[:n])+"\n", "\nREADY=1\n") {
				close(ready)
				return
			}
		}
	}()
	select {
	case <-ready:
	case err := <-exited:
		t.Fatalf("daemon exited before READY=1: %v\n%s", err, logs.String())
	case <-time.After(readyTimeout):
		t.Fatalf("no READY=1 within %v\n%s", readyTimeout, logs.String())
	}
}

// checkDiagAccess checks the diagnostics socket's access rules with
// ventanillactl run as other identities: a technician reads, an outsider
// cannot connect, only an admin changes the log level.
func checkDiagAccess(t *testing.T) {
	t.Helper()
	tech := []string{"ventanilla-tech"}
	admin := []string{"ventanilla-tech", "ventanilla-admin"}

	out, code := ctl(t, "nobody", tech, "--json", "status")
	var st struct{ Version string }
	if err := json.Unmarshal([]byte(out), &st); err != nil || st.Version != "packaging-test" || code > 1 {
		t.Errorf("technician: ventanillactl status exit %d, version %q (%v):\n%s", code, st.Version, err, out)
	}
	if out, code := ctl(t, "nobody", nil, "status"); code != 3 {
		t.Errorf("outsider: ventanillactl status exit %d, want 3 (cannot connect):\n%s", code, out)
	}
	if out, code := ctl(t, "nobody", tech, "loglevel", "debug"); code == 0 || !strings.Contains(out, "permission denied") {
		t.Errorf("technician: loglevel exit %d, want refused:\n%s", code, out)
	}
	if out, code := ctl(t, "nobody", admin, "loglevel", "info"); code != 0 {
		t.Errorf("admin: loglevel exit %d, want 0:\n%s", code, out)
	}
}

// ctl runs the installed ventanillactl as user with groups.
func ctl(t *testing.T, user string, groups []string, args ...string) (string, int) {
	t.Helper()
	out, err := asUser(user, groups, "/usr/bin/ventanillactl", args...).CombinedOutput()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return string(out), 0
	case errors.As(err, &ee):
		return string(out), ee.ExitCode()
	}
	t.Fatalf("ventanillactl: %v", err)
	return "", -1
}
