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
	"slices"
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

// BenchmarkStartToReady measures, per round and interleaved so load hits
// all alike: (1) `ventanillad --version` (the cost of starting the binary
// at all; getrusage of the reaped process); (2) a provisioned kiosk without
// a camera (device key, consent ledger, INE uplink to an in-process
// ine-sim over TLS, diagnostics socket) from fork/exec to READY=1 on a
// real NOTIFY_SOCKET, then SIGTERM: getrusage of the whole run (start,
// READY, shutdown; no child process), and the daemon's CPU at READY
// (/proc/PID/task/*/schedstat, nanoseconds); (3) the same kiosk with a
// replayed camera served by a real ventanilla-capture process: the
// daemon's CPU at READY, the capture process's CPU until it has loaded its
// models and probed the camera, and both idle RSS figures. Medians.
//
//	go test -tags matprofile -run '^$' -bench StartToReady -benchtime 15x ./cmd/ventanillad/
func BenchmarkStartToReady(b *testing.B) {
	bin := buildDaemon(b)
	dir := b.TempDir()
	bare := daemontest.Provision(b, daemontest.Opts{}).ConfigPath
	full, diag := provisionedConfig(b)
	sock := filepath.Join(dir, "notify.sock")
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: sock, Net: "unixgram"})
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	var version, bareRun, bareReady, fullReady, captureCPU, wall []time.Duration
	var rssKiB, captureKiB, bareKiB []int
	b.ResetTimer()
	for b.Loop() {
		cmd := exec.Command(bin, "--version")
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("%v: %s", err, out)
		}
		version = append(version, rusageCPU(cmd.ProcessState))

		cmd = startDaemon(b, bin, bare, sock)
		t0 := time.Now()
		waitState(b, conn, "READY=1")
		wall = append(wall, time.Since(t0))
		bareReady = append(bareReady, schedCPU(b, cmd.Process.Pid))
		bareKiB = append(bareKiB, vmRSS(b, cmd.Process.Pid))
		bareRun = append(bareRun, stopDaemon(b, cmd))

		cmd = startDaemon(b, bin, full, sock)
		waitState(b, conn, "READY=1")
		fullReady = append(fullReady, schedCPU(b, cmd.Process.Pid))
		waitCameraReported(b, diag)
		rssKiB = append(rssKiB, vmRSS(b, cmd.Process.Pid))
		if cpid := childOf(cmd.Process.Pid); cpid > 0 {
			captureKiB = append(captureKiB, vmRSS(b, cpid))
			captureCPU = append(captureCPU, schedCPU(b, cpid))
		}
		stopDaemon(b, cmd)
	}
	ms := func(d []time.Duration) float64 { return float64(medianD(d).Microseconds()) / 1000 }
	b.ReportMetric(ms(version), "version-rusage-cpu-ms")
	b.ReportMetric(ms(bareRun), "bare-start-ready-exit-rusage-cpu-ms")
	b.ReportMetric(ms(bareReady), "bare-cpu-ms-at-ready")
	b.ReportMetric(ms(wall), "bare-wall-ms-to-ready")
	b.ReportMetric(float64(medianI(bareKiB)), "bare-RSS-KiB-at-ready")
	b.ReportMetric(ms(fullReady), "camera-daemon-cpu-ms-at-ready")
	b.ReportMetric(ms(captureCPU), "capture-cpu-ms-to-idle")
	b.ReportMetric(float64(medianI(rssKiB)), "daemon-idle-RSS-KiB")
	b.ReportMetric(float64(medianI(captureKiB)), "capture-idle-RSS-KiB")
}

func startDaemon(b *testing.B, bin, cfg, sock string) *exec.Cmd {
	b.Helper()
	cmd := exec.Command(bin, "--config", cfg)
	cmd.Env = append(os.Environ(), "NOTIFY_SOCKET="+sock)
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	return cmd
}

// stopDaemon sends SIGTERM, reaps the daemon and returns its getrusage CPU.
func stopDaemon(b *testing.B, cmd *exec.Cmd) time.Duration {
	b.Helper()
	cmd.Process.Signal(syscall.SIGTERM)
	if err := cmd.Wait(); err != nil {
		b.Fatalf("daemon exit: %v", err)
	}
	return rusageCPU(cmd.ProcessState)
}

// schedCPU is a live process's CPU time so far, summed over its threads
// from /proc/PID/task/*/schedstat (nanoseconds on the CPU).
func schedCPU(b *testing.B, pid int) time.Duration {
	b.Helper()
	tasks, err := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/schedstat", pid))
	if err != nil || len(tasks) == 0 {
		b.Fatalf("no tasks of %d: %v", pid, err)
	}
	var sum time.Duration
	for _, t := range tasks {
		data, err := os.ReadFile(t)
		if err != nil {
			continue // a thread that just ended
		}
		ns, _ := strconv.ParseInt(strings.Fields(string(data))[0], 10, 64)
		sum += time.Duration(ns)
	}
	return sum
}

func medianD(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}

func medianI(v []int) int {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	return s[len(s)/2]
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
