package main

import (
	"encoding/json"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ventanilla-mx/ventanilla/consent/consenttest"
	"github.com/ventanilla-mx/ventanilla/daemon/diagapi"
)

// BenchmarkProcessVsHello times ventanillactl's pure-Go commands as whole
// processes against a static hello-world Go binary, in the same run,
// interleaved: each round runs every command once, in turn, so load
// changes hit all of them alike. CPU is user+system time from getrusage
// (wait4) of the reaped process; the figure per command is the median over
// rounds, and "x-hello" its ratio to the static hello world's median.
// A cgo hello world shows what dynamic linking alone costs. With
// VENTANILLA_BENCH_BASE_CTL set to another ventanillactl binary (a build
// of the baseline commit), each command also runs with it, interleaved
// ("base-ctl-...").
//
//	go test -run '^$' -bench ProcessVsHello -benchtime 30x ./cmd/ventanillactl/
func BenchmarkProcessVsHello(b *testing.B) {
	dir := b.TempDir()
	ctl := goBuild(b, dir, "ventanillactl", "", true)
	procs := []struct {
		name string
		argv []string
		exit int
	}{
		{"hello-static", []string{helloBin(b, dir, false)}, 0},
		{"hello-cgo", []string{helloBin(b, dir, true)}, 0},
		{"ctl-help", []string{ctl, "--help"}, exitOK},
		{"ctl-status", []string{ctl, "--socket", fakeDaemon(b, dir), "status"}, exitOK},
		{"ctl-consent-verify", consentVerifyArgs(b, ctl), exitOK},
		{"ctl-wsq-encode", wsqEncodeArgs(b, dir, ctl), exitOK},
	}
	if base := os.Getenv("VENTANILLA_BENCH_BASE_CTL"); base != "" {
		for _, p := range procs[2:] {
			argv := append([]string{base}, p.argv[1:]...)
			procs = append(procs, struct {
				name string
				argv []string
				exit int
			}{"base-" + p.name, argv, p.exit})
		}
	}
	cpu := make([][]time.Duration, len(procs))
	b.ResetTimer()
	for b.Loop() {
		for i, p := range procs {
			cmd := exec.Command(p.argv[0], p.argv[1:]...)
			out, err := cmd.CombinedOutput()
			if cmd.ProcessState == nil || cmd.ProcessState.ExitCode() != p.exit {
				b.Fatalf("%s: %v\n%s", p.name, err, out)
			}
			ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
			cpu[i] = append(cpu[i], time.Duration(ru.Utime.Nano()+ru.Stime.Nano()))
		}
	}
	hello := median(cpu[0])
	for i, p := range procs {
		m := median(cpu[i])
		b.ReportMetric(float64(m.Microseconds())/1000, p.name+"-cpu-ms")
		if i > 0 {
			b.ReportMetric(float64(m)/float64(hello), p.name+"-x-hello")
		}
	}
}

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}

// goBuild builds the main package in src ("" for this one) as the
// Makefile does (-trimpath, stripped).
func goBuild(b *testing.B, dir, name, src string, cgo bool) string {
	b.Helper()
	bin := filepath.Join(dir, name)
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w", "-o", bin, ".")
	cmd.Dir = src
	cmd.Env = append(os.Environ(), "CGO_ENABLED="+map[bool]string{true: "1", false: "0"}[cgo])
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("go build %s: %v\n%s", name, err, out)
	}
	return bin
}

// helloBin is a hello world: static (CGO_ENABLED=0), or linked against
// libc through cgo as ventanillactl is (for SQLite).
func helloBin(b *testing.B, dir string, cgo bool) string {
	b.Helper()
	name := map[bool]string{true: "hello-cgo", false: "hello-static"}[cgo]
	src := filepath.Join(dir, name+"-src")
	prog := "package main\n\nimport \"os\"\n\nfunc main() { os.Stdout.WriteString(\"hello\\n\") }\n"
	if cgo {
		prog = "package main\n\n// int one(void) { return 1; }\nimport \"C\"\nimport \"os\"\n\nfunc main() { if C.one() == 1 { os.Stdout.WriteString(\"hello\\n\") } }\n"
	}
	for path, text := range map[string]string{"main.go": prog, "go.mod": "module hello\n\ngo 1.24\n"} {
		if err := os.MkdirAll(src, 0o700); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(src, path), []byte(text), 0o600); err != nil {
			b.Fatal(err)
		}
	}
	return goBuild(b, dir, name, src, cgo)
}

// fakeDaemon serves a ready /v1/status on a unix socket, so `status` does
// its whole client path (connect, HTTP, JSON, table) without a daemon.
func fakeDaemon(b *testing.B, dir string) string {
	b.Helper()
	sock := filepath.Join(dir, "diag.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		b.Fatal(err)
	}
	st := diagapi.Status{Ready: true, Summary: "ready", Version: "bench", GoVersion: "go", PID: 1, Started: time.Now(),
		Config: map[string]any{"kiosk_id": "bench"}}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(st)
	})}
	go srv.Serve(l)
	b.Cleanup(func() { srv.Close() })
	return sock
}

// consentVerifyArgs exports a 20-record bundle and verifies it offline.
func consentVerifyArgs(b *testing.B, ctl string) []string {
	b.Helper()
	e := newConsentEnv(b, 20)
	bundle := filepath.Join(e.dir, "evidence.jsonl")
	out, err := exec.Command(ctl, "consent", "export", "--db", e.db, "--device-key", e.key, "--since", "2025-03-14",
		"--until", consenttest.Epoch.Add(time.Hour).Format(time.RFC3339), "-o", bundle).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "exported 20") {
		b.Fatalf("export: %v\n%s", err, out)
	}
	return []string{ctl, "consent", "verify", bundle, "--pubkey", e.pub}
}

// wsqEncodeArgs encodes a drawn 256x288 ring pattern (nobody's print).
func wsqEncodeArgs(b *testing.B, dir, ctl string) []string {
	b.Helper()
	in := filepath.Join(dir, "rings.png")
	writePNG(b, in, rings(256, 288))
	return []string{ctl, "wsq", "encode", in, filepath.Join(dir, "out.wsq")}
}
