package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

const kioskUnitPath = "usr/lib/systemd/system/ventanilla-kiosk.service"

var (
	kioskOnce sync.Once
	kioskDeb  string
	kioskErr  error
)

// kioskPackage builds the kiosk package once per test process.
func kioskPackage(t *testing.T) string {
	t.Helper()
	s := &Spec{Root: repoRoot(t), Version: "0.0.1", Date: testDate}
	kioskOnce.Do(func() {
		if s.Work, kioskErr = os.MkdirTemp("", "mkdeb-kiosk-"); kioskErr != nil {
			return
		}
		kioskDeb, kioskErr = BuildKiosk(s, s.Work)
	})
	if kioskErr != nil {
		t.Fatal(kioskErr)
	}
	return kioskDeb
}

// kioskStaged is the staged root (the default package and the host's
// units) with the kiosk package unpacked over it.
func kioskStaged(t *testing.T) string {
	t.Helper()
	root := stagedRoot(t)
	if out, err := exec.Command("dpkg-deb", "-x", kioskPackage(t), root).CombinedOutput(); err != nil {
		t.Fatalf("dpkg-deb -x: %v\n%s", err, out)
	}
	return root
}

// TestKioskUnitVerify: `systemd-analyze verify` says nothing about the
// kiosk screen's unit, and does speak up about a broken copy of it.
func TestKioskUnitVerify(t *testing.T) {
	root := kioskStaged(t)
	unit := filepath.Join(root, kioskUnitPath)
	out, err := analyze(t, "verify", "--man=no", "--root="+root, unit)
	if err != nil || strings.TrimSpace(out) != "" {
		t.Fatalf("systemd-analyze verify: %v\n%s", err, out)
	}
	orig, err := os.ReadFile(unit)
	if err != nil {
		t.Fatal(err)
	}
	bad := strings.Replace(string(orig), "ExecStart=/usr/libexec/ventanilla-kiosk/session", "ExecStart=/usr/libexec/ventanilla-kiosk/missing", 1)
	if bad == string(orig) {
		t.Fatal("mutation did not apply; update this test")
	}
	mutant := filepath.Join(filepath.Dir(unit), "ventanilla-kiosk-mutant.service")
	if err := os.WriteFile(mutant, []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	defer os.Remove(mutant)
	if out, err := analyze(t, "verify", "--man=no", "--root="+root, mutant); err == nil && strings.TrimSpace(out) == "" {
		t.Error("a unit starting a missing program passed systemd-analyze verify")
	}
}

// TestKioskLintian: no lintian error or warning in the kiosk package.
func TestKioskLintian(t *testing.T) {
	lintian := needTool(t, "lintian")
	out, err := exec.Command(lintian, "--display-info", "--fail-on", "error,warning", kioskPackage(t)).CombinedOutput()
	t.Logf("lintian:\n%s", out)
	if err != nil {
		t.Fatalf("lintian: %v", err)
	}
}

// TestKioskUnitSettings holds the unit to what docs/kiosk-display.md
// promises: an unprivileged user named in the sysusers file, restarted
// on every exit without a start limit, a logind session on a VT.
func TestKioskUnitSettings(t *testing.T) {
	root := repoRoot(t)
	unit, err := os.ReadFile(filepath.Join(root, "packaging/kiosk/ventanilla-kiosk.service"))
	if err != nil {
		t.Fatal(err)
	}
	users, err := os.ReadFile(filepath.Join(root, "packaging/kiosk/ventanilla-kiosk.sysusers"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"\nUser=ventanilla-kiosk\n", "\nRestart=always\n", "\nStartLimitIntervalSec=0\n",
		"\nPAMName=ventanilla-kiosk\n", "\nTTYPath=/dev/tty1\n", "\nNoNewPrivileges=yes\n", "\nRuntimeDirectory=ventanilla-kiosk\n"} {
		if !strings.Contains(string(unit), want) {
			t.Errorf("unit lacks %q", strings.TrimSpace(want))
		}
	}
	if !regexp.MustCompile(`(?m)^u ventanilla-kiosk - `).Match(users) {
		t.Error("sysusers does not create ventanilla-kiosk as a system user")
	}
}

// pageReport is what the test page learns about the browser it runs in.
type pageReport struct {
	Lang  string   `json:"lang"`
	Langs []string `json:"langs"`
	Touch bool     `json:"touch"`
}

const reportPage = `<!doctype html><html><body><script>
document.body.setAttribute('data-r', JSON.stringify({lang: navigator.language,
  langs: navigator.languages, touch: ('ontouchstart' in window)}));
</script></body></html>`

var reportRE = regexp.MustCompile(`data-r="([^"]*)"`)

// runBrowser runs cmd (a headless Chromium printing the page's DOM) and
// returns what the page reported.
func runBrowser(cmd *exec.Cmd) (pageReport, error) {
	var r pageReport
	out, err := cmd.Output()
	if err != nil {
		var stderr []byte
		if ee := (*exec.ExitError)(nil); errors.As(err, &ee) {
			stderr = ee.Stderr
		}
		return r, fmt.Errorf("%s: %v\n%s", cmd.Path, err, tail(stderr, 2000))
	}
	m := reportRE.FindSubmatch(out)
	if m == nil {
		return r, fmt.Errorf("the page did not run; DOM:\n%s", tail(out, 2000))
	}
	return r, json.Unmarshal([]byte(html.UnescapeString(string(m[1]))), &r)
}

func tail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}

// headlessArgs turn the kiosk command line into a headless one that
// prints the DOM; as root Chromium also needs its sandbox off.
func headlessArgs() []string {
	args := []string{"--headless=new", "--dump-dom", "--virtual-time-budget=2000"}
	if os.Getuid() == 0 {
		args = append(args, "--no-sandbox")
	}
	return args
}

// TestKioskBrowserHeadless runs the packaged browser script (the command
// line the kiosk uses, headless) against a test server that starts only
// after the browser: the script waits for it, and the page sees Spanish
// (es-MX) and touch. Plain Chromium on the same page, as a baseline, sees
// neither, so the check can fail.
func TestKioskBrowserHeadless(t *testing.T) {
	chromium := needTool(t, "chromium")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // the daemon is "down" while the browser starts
	url := "http://" + addr + "/"
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(repoRoot(t), "packaging/kiosk/browser"), headlessArgs()...)
	cmd.Env = append(os.Environ(), "KIOSK_URL="+url, "KIOSK_WAIT=60", "RUNTIME_DIRECTORY="+t.TempDir(), "LANG=C", "LANGUAGE=")
	type result struct {
		r   pageReport
		err error
	}
	done := make(chan result, 1)
	go func() { r, err := runBrowser(cmd); done <- result{r, err} }()
	// Usually the script is already waiting when the server comes up; the
	// checks below hold either way.
	time.Sleep(time.Second)
	srv := serveReport(t, addr)
	defer srv.Close()
	res := <-done
	if res.err != nil {
		t.Fatal(res.err)
	}
	r := res.r
	t.Logf("kiosk browser: %+v", r)
	if r.Lang != "es-MX" || !r.Touch {
		t.Errorf("kiosk browser reports language %q (want es-MX), touch %v (want true)", r.Lang, r.Touch)
	}
	base := exec.CommandContext(ctx, chromium, append(headlessArgs(), "--user-data-dir="+t.TempDir(), url)...)
	base.Env = append(os.Environ(), "LANG=C", "LANGUAGE=")
	b, err := runBrowser(base)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("plain chromium: %+v", b)
	if b.Lang == "es-MX" && b.Touch {
		t.Error("plain Chromium already reports es-MX and touch: the check above proves nothing")
	}
}

// serveReport serves the report page at addr, retrying briefly until the
// port (just released) can be bound again.
func serveReport(t *testing.T, addr string) *http.Server {
	t.Helper()
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, reportPage)
	})}
	var ln net.Listener
	var err error
	for i := 0; i < 50; i++ {
		if ln, err = net.Listen("tcp", addr); err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	return srv
}

// TestArchivePackage: the archive server has its own package (with its
// binary and man page), is absent from the kiosk's, and is lintian clean.
func TestArchivePackage(t *testing.T) {
	s := testSpec(t, "0.0.1")
	if !fileExists(filepath.Join(s.BinDir, archivePkg)) {
		t.Fatalf("binaries in %s lack %s: the archive package cannot be built", s.BinDir, archivePkg)
	}
	bins, err := binaries(s.BinDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range bins {
		if b.name == archivePkg {
			t.Errorf("the kiosk package would carry %s", archivePkg)
		}
	}
	deb, err := BuildArchive(s, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("dpkg-deb", "-c", deb).CombinedOutput()
	if err != nil {
		t.Fatalf("dpkg-deb -c: %v\n%s", err, out)
	}
	for _, want := range []string{"./usr/bin/ventanilla-archive", "./usr/share/man/man1/ventanilla-archive.1.gz", "/usr/share/doc/ventanilla-archive/copyright"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("archive package lacks %s:\n%s", want, out)
		}
	}
	lintian := needTool(t, "lintian")
	if out, err := exec.Command(lintian, "--display-info", "--fail-on", "error,warning", deb).CombinedOutput(); err != nil {
		t.Errorf("lintian: %v\n%s", err, out)
	}
}
