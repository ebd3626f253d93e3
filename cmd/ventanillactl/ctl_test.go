package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ventanilla-mx/ventanilla/daemon"
	"github.com/ventanilla-mx/ventanilla/daemon/config"
)

type readyNotifier chan string

func (n readyNotifier) Notify(s string) error {
	select {
	case n <- s:
	default:
	}
	return nil
}

// startDaemon runs a real daemon in-process on a config file in a temp dir
// and returns the config path.
func startDaemon(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "ventanilla.toml")
	doc := fmt.Sprintf(`version = 1
[kiosk]
id = "ctl-test"
[paths]
state_dir = "state"
run_dir = "run"
[log]
format = "logfmt"
[diagnostics]
socket_group = ""
technician_group = ""
admin_group = ""
[health]
min_free_disk = "1MiB"
[scanner]
enabled = false
`)
	if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	n := make(readyNotifier, 16)
	done := make(chan error, 1)
	go func() {
		done <- daemon.Run(ctx, daemon.Options{Config: cfg, Notifier: n, Stderr: io.Discard, KeepDumpable: true,
			ClockSynced: func() (bool, error) { return true, nil }})
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("daemon: %v", err)
		}
	})
	for s := range n {
		if s == "READY=1" {
			break
		}
	}
	return path
}

func TestAgainstRunningDaemon(t *testing.T) {
	cfgPath := startDaemon(t)
	tests := []struct {
		args     []string
		code     int
		contains string
	}{
		{[]string{"status", "--config", cfgPath}, exitOK, "healthy"},
		{[]string{"--config", cfgPath, "status"}, exitOK, "healthy"},
		{[]string{"--config=" + cfgPath, "--json", "health"}, exitOK, `"ready": true`},
		{[]string{"status", "--config", cfgPath, "--json"}, exitOK, `"kiosk_id": "ctl-test"`},
		{[]string{"health", "--config", cfgPath}, exitOK, "ready"},
		{[]string{"selftest", "--config", cfgPath}, exitOK, "statedir.write  ok"},
		{[]string{"metrics", "--config", cfgPath}, exitOK, "ventanilla_ready 1"},
		{[]string{"loglevel", "--config", cfgPath, "debug"}, exitOK, "log level: debug"},
		{[]string{"devices", "--config", cfgPath}, exitOK, "no devices are configured"},
	}
	for _, tt := range tests {
		code, out, errOut := runCtl(t, tt.args...)
		if code != tt.code || !strings.Contains(out, tt.contains) {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit %d containing %q",
				tt.args, code, out, errOut, tt.code, tt.contains)
		}
	}
	code, _, errOut := runCtl(t, "loglevel", "--config", cfgPath, "loud")
	if code != exitUsage || !strings.Contains(errOut, "not one of") {
		t.Errorf("bad level: exit %d stderr %q", code, errOut)
	}
}

func TestExitCodes(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		args []string
		code int
	}{
		{nil, exitUsage},
		{[]string{"frobnicate"}, exitUsage},
		{[]string{"help"}, exitOK},
		{[]string{"status", "--socket", filepath.Join(dir, "absent.sock")}, exitUnreachable},
		{[]string{"status", "--nonsense"}, exitUsage},
		{[]string{"config", "check", filepath.Join(dir, "absent.toml")}, exitFailed},
		{[]string{"config"}, exitUsage},
		{[]string{"--bogus", "status"}, exitUsage},
		{[]string{"--config"}, exitUsage},
		{[]string{"config", "check", "../../configs/dev.toml"}, exitOK},
	}
	for _, tt := range tests {
		if code, _, errOut := runCtl(t, tt.args...); code != tt.code {
			t.Errorf("%v: exit %d (stderr %q), want %d", tt.args, code, errOut, tt.code)
		}
	}
}
