package main

import (
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ventanilla-mx/ventanilla/daemon"
	"github.com/ventanilla-mx/ventanilla/daemon/daemontest"
)

type readyNotifier chan string

func (n readyNotifier) Notify(s string) error {
	select {
	case n <- s:
	default:
	}
	return nil
}

// startDaemon runs a real daemon in-process on a provisioned kiosk (keys,
// ledger, ine-sim on loopback TLS) and returns its config path.
func startDaemon(t *testing.T) string {
	t.Helper()
	return runDaemon(t, daemontest.Provision(t, daemontest.Opts{KioskID: "ctl-test"}), io.Discard)
}

// runDaemon runs the daemon of env, its log into w, until the test ends,
// and returns its config path once it is ready.
func runDaemon(t *testing.T, env *daemontest.Env, w io.Writer) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	n := make(readyNotifier, 16)
	done := make(chan error, 1)
	go func() {
		done <- daemon.Run(ctx, daemon.Options{Config: env.Config, Notifier: n, Stderr: w, KeepDumpable: true,
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
	return env.ConfigPath
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
		{[]string{"--json", "metrics", "--config", cfgPath}, exitOK, `"name": "ventanilla_ready"`},
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

// TestEveryCommandHelps: `ventanillactl COMMAND --help` exits 0 for every
// command and prints a summary, a usage line and an example.
func TestEveryCommandHelps(t *testing.T) {
	for _, cmd := range commands {
		for _, flag := range []string{"--help", "-h"} {
			code, out, errOut := runCtl(t, cmd.name, flag)
			if code != exitOK {
				t.Errorf("%s %s: exit %d (stderr %q), want 0", cmd.name, flag, code, errOut)
			}
			for _, want := range []string{"ventanillactl " + cmd.name + ": " + cmd.summary, "usage:\n  ventanillactl " + cmd.name, "example:\n  "} {
				if !strings.Contains(out, want) {
					t.Errorf("%s %s lacks %q:\n%s", cmd.name, flag, want, out)
				}
			}
		}
		if _, ok := helps[cmd.name]; !ok {
			t.Errorf("%s has no usage and example in helps", cmd.name)
		}
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
