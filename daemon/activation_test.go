package daemon

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestSocketActivation starts the daemon as systemd does with
// ventanillad.socket: the listening socket arrives as fd 3 with
// LISTEN_FDS/LISTEN_PID. The daemon serves on it, and leaves the socket
// file (systemd's) in place when it stops.
func TestSocketActivation(t *testing.T) {
	dir := t.TempDir()
	sock := filepath.Join(dir, "diag.sock")
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: sock, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	ln.SetUnlinkOnClose(false)
	f, err := ln.File()
	if err != nil {
		t.Fatal(err)
	}
	ln.Close()
	cfgPath := filepath.Join(dir, "v.toml")
	doc := "version = 1\n[paths]\nstate_dir = \"state\"\nrun_dir = \"run\"\n[log]\nformat = \"logfmt\"\n" +
		"[diagnostics]\nsocket = \"diag.sock\"\nsocket_group = \"\"\ntechnician_group = \"\"\nadmin_group = \"\"\n" +
		"[health]\nmin_free_disk = \"1MiB\"\n"
	if err := os.WriteFile(cfgPath, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	notify := filepath.Join(dir, "notify.sock")
	nconn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: notify, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer nconn.Close()

	self, _ := os.Executable()
	// LISTEN_PID must name the daemon's own pid: exec keeps the shell's.
	cmd := exec.Command("/bin/sh", "-c", `LISTEN_PID=$$ LISTEN_FDS=1 exec "$0"`, self)
	cmd.Env = append(os.Environ(), daemonEnv+"="+cfgPath, "NOTIFY_SOCKET="+notify)
	cmd.ExtraFiles = []*os.File{f}
	var stderr syncBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	waitDatagram(t, nconn, "READY=1")

	if code := getJSON(t, unixClient(sock), "GET", "/v1/health", nil); code != 200 {
		t.Fatalf("health over the activated socket: %d", code)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("daemon: %v\n%s", err, stderr.String())
	}
	if _, err := os.Stat(sock); err != nil {
		t.Fatalf("the daemon removed systemd's socket: %v", err)
	}
	if strings.Contains(stderr.String(), "level=ERROR") {
		t.Errorf("errors logged:\n%s", stderr.String())
	}
}

func waitDatagram(t *testing.T, c *net.UnixConn, want string) {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(20 * time.Second))
	buf := make([]byte, 4096)
	for {
		n, err := c.Read(buf)
		if err != nil {
			t.Fatalf("waiting for %s: %v", want, err)
		}
		if string(buf[:n]) == want {
			return
		}
	}
}
