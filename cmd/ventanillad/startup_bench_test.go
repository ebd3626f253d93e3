package main

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ventanilla-mx/ventanilla/daemon/daemontest"
	"github.com/ventanilla-mx/ventanilla/internal/fixtures"
)

// buildDaemon compiles ventanillad once for the benchmarks.
func buildDaemon(b *testing.B) string {
	b.Helper()
	bin := filepath.Join(b.TempDir(), "ventanillad")
	out, err := exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w", "-o", bin, ".").CombinedOutput()
	if err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// provisionedConfig is a whole kiosk: device key, consent ledger, INE
// uplink to an in-process ine-sim over TLS, a replayed camera; every
// subsystem is wired, so start-up includes opening the ledger and loading
// the face models.
func provisionedConfig(b *testing.B) string {
	b.Helper()
	env := daemontest.Provision(b, daemontest.Opts{CameraReplay: fixtures.GocvImage(b, "face.jpg")})
	return env.ConfigPath
}

// BenchmarkStartToReady measures from fork/exec to READY=1 on a real
// NOTIFY_SOCKET, and the resident memory once idle, for a fully
// provisioned kiosk. The comparison is
// `ventanillad --version`: the cost of starting the same binary at all.
func BenchmarkStartToReady(b *testing.B) {
	bin := buildDaemon(b)
	dir := b.TempDir()
	cfg := provisionedConfig(b)
	sock := filepath.Join(dir, "notify.sock")
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: sock, Net: "unixgram"})
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	var rssKiB int
	b.ResetTimer()
	for b.Loop() {
		cmd := exec.Command(bin, "--config", cfg)
		cmd.Env = append(os.Environ(), "NOTIFY_SOCKET="+sock)
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		waitState(b, conn, "READY=1")
		waitState(b, conn, "STATUS=") // first health round done: idle
		b.StopTimer()
		rssKiB = vmRSS(b, cmd.Process.Pid)
		cmd.Process.Signal(syscall.SIGTERM)
		if err := cmd.Wait(); err != nil {
			b.Fatalf("daemon exit: %v", err)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/1000, "ms-to-ready")
	b.ReportMetric(float64(rssKiB), "idle-RSS-KiB")
}

func BenchmarkStartVersionOnly(b *testing.B) {
	bin := buildDaemon(b)
	b.ResetTimer()
	for b.Loop() {
		if out, err := exec.Command(bin, "--version").CombinedOutput(); err != nil {
			b.Fatalf("%v: %s", err, out)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/1000, "ms-to-exit")
}

func waitState(b *testing.B, conn *net.UnixConn, prefix string) {
	b.Helper()
	buf := make([]byte, 4096)
	conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	for {
		n, err := conn.Read(buf)
		if err != nil {
			b.Fatalf("waiting for %s: %v", prefix, err)
		}
		if strings.HasPrefix(string(buf[:n]), prefix) {
			return
		}
	}
}

func vmRSS(b *testing.B, pid int) int {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kib, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(rest), " kB"))
			return kib
		}
	}
	b.Fatal("no VmRSS")
	return 0
}
