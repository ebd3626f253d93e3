package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
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
func provisionedConfig(b *testing.B) (cfg, diagSock string) {
	b.Helper()
	env := daemontest.Provision(b, daemontest.Opts{CameraReplay: fixtures.GocvImage(b, "face.jpg")})
	return env.ConfigPath, env.Config.SocketPath()
}

// BenchmarkStartToReady measures from fork/exec to READY=1 on a real
// NOTIFY_SOCKET for a fully provisioned kiosk: wall time, the daemon's own
// CPU time at READY (/proc/PID/stat), the CPU time of the whole run
// (getrusage of the reaped daemon, which includes its reaped capture
// process), and, once the capture process reports the camera, the idle
// RSS of the daemon and of the capture process separately. The
// comparison is `ventanillad --version` (BenchmarkStartVersionOnly): the
// cost of starting the same binary at all.
func BenchmarkStartToReady(b *testing.B) {
	bin := buildDaemon(b)
	dir := b.TempDir()
	cfg, diag := provisionedConfig(b)
	sock := filepath.Join(dir, "notify.sock")
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: sock, Net: "unixgram"})
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	var rssKiB, captureKiB int
	var readyCPU, totalCPU, captureCPU time.Duration
	b.ResetTimer()
	for b.Loop() {
		cmd := exec.Command(bin, "--config", cfg)
		cmd.Env = append(os.Environ(), "NOTIFY_SOCKET="+sock)
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		waitState(b, conn, "READY=1")
		b.StopTimer()
		readyCPU += procCPU(b, cmd.Process.Pid)
		waitCameraReported(b, diag)
		rssKiB = vmRSS(b, cmd.Process.Pid)
		if cpid := childOf(cmd.Process.Pid); cpid > 0 {
			captureKiB = vmRSS(b, cpid)
			captureCPU += procCPU(b, cpid)
		}
		cmd.Process.Signal(syscall.SIGTERM)
		if err := cmd.Wait(); err != nil {
			b.Fatalf("daemon exit: %v", err)
		}
		totalCPU += rusageCPU(cmd.ProcessState)
		b.StartTimer()
	}
	n := float64(b.N)
	b.ReportMetric(float64(b.Elapsed().Microseconds())/n/1000, "ms-to-ready")
	b.ReportMetric(float64(readyCPU.Microseconds())/n/1000, "daemon-cpu-ms-at-ready")
	b.ReportMetric(float64(captureCPU.Microseconds())/n/1000, "capture-cpu-ms-to-idle")
	b.ReportMetric(float64(totalCPU.Microseconds())/n/1000, "rusage-cpu-ms-whole-run")
	b.ReportMetric(float64(rssKiB), "daemon-idle-RSS-KiB")
	b.ReportMetric(float64(captureKiB), "capture-idle-RSS-KiB")
}

// rusageCPU is user+system time of a reaped process (getrusage via wait4),
// its reaped children included.
func rusageCPU(ps *os.ProcessState) time.Duration {
	ru, ok := ps.SysUsage().(*syscall.Rusage)
	if !ok {
		return ps.UserTime() + ps.SystemTime()
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// procCPU is a live process's own user+system time (clock ticks of 10 ms).
func procCPU(b *testing.B, pid int) time.Duration {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		b.Fatal(err)
	}
	f := strings.Fields(string(data[strings.LastIndexByte(string(data), ')')+2:]))
	ut, _ := strconv.Atoi(f[11])
	st, _ := strconv.Atoi(f[12])
	return time.Duration(ut+st) * 10 * time.Millisecond // USER_HZ = 100
}

// childOf is the first process whose parent is pid (the capture process).
func childOf(pid int) int {
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		c, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", c))
		if err != nil {
			continue
		}
		f := strings.Fields(string(data[strings.LastIndexByte(string(data), ')')+2:]))
		if pp, _ := strconv.Atoi(f[1]); pp == pid {
			return c
		}
	}
	return 0
}

// waitCameraReported waits until the daemon shows the camera idle: the
// capture process is up, has loaded its models and probed the camera.
func waitCameraReported(b *testing.B, sock string) {
	b.Helper()
	c := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, "unix", sock)
	}}}
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		resp, err := c.Get("http://diag/v1/devices")
		if err != nil {
			continue
		}
		var devs []struct{ State string }
		json.NewDecoder(resp.Body).Decode(&devs)
		resp.Body.Close()
		if len(devs) == 1 && devs[0].State == "idle" {
			return
		}
	}
	b.Fatal("the capture process never reported the camera")
}

func BenchmarkStartVersionOnly(b *testing.B) {
	bin := buildDaemon(b)
	var cpu time.Duration
	b.ResetTimer()
	for b.Loop() {
		cmd := exec.Command(bin, "--version")
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("%v: %s", err, out)
		}
		cpu += rusageCPU(cmd.ProcessState)
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/1000, "ms-to-exit")
	b.ReportMetric(float64(cpu.Microseconds())/float64(b.N)/1000, "rusage-cpu-ms")
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
