package main

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// unitPath is where the package installs the unit, relative to a root.
const unitPath = "usr/lib/systemd/system/ventanillad.service"

var (
	stageOnce sync.Once
	stageDir  string
	stageErr  error
)

// stagedRoot is the default package unpacked into a directory, with the
// host's own units beside it so systemd-analyze can resolve the targets
// the unit names (sysinit.target, multi-user.target, ...). It is what a
// kiosk's / looks like for the files that matter here.
func stagedRoot(t *testing.T) string {
	t.Helper()
	needTool(t, "dpkg-deb")
	deb := defaultDeb(t)
	stageOnce.Do(func() {
		stageDir, stageErr = os.MkdirTemp("", "mkdeb-stage-")
		if stageErr != nil {
			return
		}
		if out, err := exec.Command("dpkg-deb", "-x", deb, stageDir).CombinedOutput(); err != nil {
			stageErr = &cmdError{"dpkg-deb -x", out, err}
			return
		}
		units := filepath.Join(stageDir, "usr/lib/systemd/system")
		if _, err := os.Stat("/usr/lib/systemd/system/sysinit.target"); err == nil {
			if out, err := exec.Command("cp", "-an", "/usr/lib/systemd/system/.", units).CombinedOutput(); err != nil {
				stageErr = &cmdError{"cp host units", out, err}
			}
		}
	})
	if stageErr != nil {
		t.Fatal(stageErr)
	}
	return stageDir
}

type cmdError struct {
	what string
	out  []byte
	err  error
}

func (e *cmdError) Error() string { return e.what + ": " + e.err.Error() + "\n" + string(e.out) }

var (
	debOnce sync.Once
	debPath string
	debDir  string
	debErr  error
)

// defaultDeb builds, once per test process, the package every read-only
// check (unit, lintian) looks at.
func defaultDeb(t *testing.T) string {
	t.Helper()
	needTool(t, "dpkg-shlibdeps")
	spec := testSpec(t, "0.0.1")
	debOnce.Do(func() {
		if debDir, debErr = os.MkdirTemp("", "mkdeb-deb-"); debErr != nil {
			return
		}
		spec.Work = debDir
		debPath, debErr = BuildWithDeps(spec, debDir)
	})
	if debErr != nil {
		t.Fatal(debErr)
	}
	return debPath
}

// analyze runs systemd-analyze and returns its combined output.
func analyze(t *testing.T, args ...string) (string, error) {
	t.Helper()
	needTool(t, "systemd-analyze")
	out, err := exec.Command("systemd-analyze", args...).CombinedOutput()
	return string(out), err
}

// socketPath is where the package installs the socket unit.
const socketPath = "usr/lib/systemd/system/ventanillad.socket"

// TestUnitVerify runs `systemd-analyze verify` on the installed units: any
// output at all (an unknown key, a missing binary, a bad value) fails.
func TestUnitVerify(t *testing.T) {
	root := stagedRoot(t)
	out, err := analyze(t, "verify", "--man=no", "--root="+root, filepath.Join(root, unitPath), filepath.Join(root, socketPath))
	if err != nil || strings.TrimSpace(out) != "" {
		t.Fatalf("systemd-analyze verify: %v\n%s", err, out)
	}
}

// TestUnitVerifyCatchesMistakes proves the verify check is not vacuous: a
// copy of the unit with an unknown key and one with a wrong ExecStart are
// both reported. The copies go into the staged root under another name
// (systemd-analyze reads units inside --root) and are removed after.
func TestUnitVerifyCatchesMistakes(t *testing.T) {
	root := stagedRoot(t)
	orig, err := os.ReadFile(filepath.Join(root, unitPath))
	if err != nil {
		t.Fatal(err)
	}
	mutants := map[string]string{
		"unknown key": strings.Replace(string(orig), "UMask=0077", "UMask=0077\nProtectEverything=yes", 1),
		"no binary":   strings.Replace(string(orig), "ExecStart=/usr/sbin/ventanillad", "ExecStart=/usr/sbin/ventanillad-missing", 1),
	}
	for name, text := range mutants {
		if text == string(orig) {
			t.Fatalf("%s: mutation did not apply; update this test", name)
		}
		path := filepath.Join(root, filepath.Dir(unitPath), "ventanillad-mutant.service")
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		defer os.Remove(path)
		out, err := analyze(t, "verify", "--man=no", "--root="+root, path)
		if err == nil && strings.TrimSpace(out) == "" {
			t.Errorf("%s: systemd-analyze verify reported nothing", name)
		}
	}
}

var exposureRE = regexp.MustCompile(`Overall exposure level for ventanillad\.service: ([0-9.]+)`)

// exposure runs `systemd-analyze security --offline` with a threshold of
// 1.5 on a unit file and returns the exposure it reports.
func exposure(t *testing.T, path string) (float64, string, error) {
	t.Helper()
	out, err := analyze(t, "security", "--offline=true", "--threshold=15", "--no-pager", path)
	m := exposureRE.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no exposure level in systemd-analyze output (%v):\n%s", err, out)
	}
	e, perr := strconv.ParseFloat(m[1], 64)
	if perr != nil {
		t.Fatal(perr)
	}
	return e, out, err
}

// TestUnitSecurity holds the unit to an exposure of at most 1.5 (of 10) in
// `systemd-analyze security`; Debian's fprintd unit scores 5.4.
func TestUnitSecurity(t *testing.T) {
	e, out, err := exposure(t, filepath.Join(stagedRoot(t), unitPath))
	t.Logf("exposure %.1f", e)
	if err != nil || e > 1.5 {
		t.Fatalf("exposure %.1f > 1.5 (%v); what counts against it:\n%s", e, err, failingLines(out))
	}
}

// TestUnitSecurityLoadBearing shows the threshold can fail, and which
// settings hold the unit under it: without ProtectClock= and ProtectProc=
// the same unit scores above 1.5.
func TestUnitSecurityLoadBearing(t *testing.T) {
	orig, err := os.ReadFile(filepath.Join(stagedRoot(t), unitPath))
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Replace(string(orig), "\nProtectClock=yes\n", "\n", 1)
	text = strings.Replace(text, "\nProtectProc=invisible\n", "\n", 1)
	if len(text) != len(orig)-len("ProtectClock=yes\nProtectProc=invisible\n") {
		t.Fatal("mutation did not apply; update this test")
	}
	path := filepath.Join(t.TempDir(), "ventanillad.service")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	e, _, err := exposure(t, path)
	t.Logf("exposure without ProtectClock and ProtectProc: %.1f", e)
	if err == nil || e <= 1.5 {
		t.Fatalf("weakened unit passed the threshold (exposure %.1f)", e)
	}
}

// failingLines keeps the ✗ lines of a security report.
func failingLines(report string) string {
	var b strings.Builder
	for _, l := range strings.Split(report, "\n") {
		if strings.Contains(l, "✗") {
			b.WriteString(strings.TrimSpace(l) + "\n")
		}
	}
	return b.String()
}

// unitSettings parses a unit file into key -> values (in order).
func unitSettings(t *testing.T, path string) map[string][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m := map[string][]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' || line[0] == '[' {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			t.Fatalf("unit line %q has no '='", line)
		}
		m[k] = append(m[k], v)
	}
	return m
}

// TestUnitMatchesPackage checks the facts the units, the package, the
// sysusers file and the default config must agree on.
func TestUnitMatchesPackage(t *testing.T) {
	root := repoRoot(t)
	u := unitSettings(t, filepath.Join(root, "systemd", "ventanillad.service"))
	cfg := defaultConfig(t)
	want := map[string]string{
		"Type": "notify", "User": "ventanilla", "Restart": "on-failure",
		"ExecStart":      placeBinary("ventanillad").dir + "/ventanillad --config /etc/ventanilla/ventanilla.toml",
		"StateDirectory": strings.TrimPrefix(cfg.Paths.StateDir, "/var/lib/"),
		"Requires":       "ventanillad.socket",
		"Environment":    "GOTRACEBACK=single", "LimitCORE": "0", "MemorySwapMax": "0",
		"CapabilityBoundingSet": "", "DevicePolicy": "closed", "MemoryDenyWriteExecute": "yes",
		"SupplementaryGroups": "video dialout",
	}
	for k, v := range want {
		if got := u[k]; len(got) != 1 || got[0] != v {
			t.Errorf("unit %s=%q, want %q", k, got, v)
		}
	}
	sock := unitSettings(t, filepath.Join(root, "systemd", "ventanillad.socket"))
	diag := cfg.Diagnostics.Socket
	if diag == "" {
		diag = cfg.Paths.RunDir + "/diag.sock"
	}
	for k, v := range map[string]string{"ListenStream": diag, "SocketGroup": cfg.Diagnostics.SocketGroup, "SocketMode": "0660"} {
		if got := sock[k]; len(got) != 1 || got[0] != v {
			t.Errorf("socket unit %s=%q, want %q (configs/ventanilla.toml)", k, got, v)
		}
	}
	sysusers, err := os.ReadFile(filepath.Join(root, "systemd", "ventanilla.sysusers"))
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range []string{cfg.Diagnostics.TechnicianGroup, cfg.Diagnostics.AdminGroup, cfg.Diagnostics.SocketGroup} {
		if !regexp.MustCompile(`(?m)^g\s+` + regexp.QuoteMeta(g) + `\s`).Match(sysusers) {
			t.Errorf("sysusers.d does not create group %q named in configs/ventanilla.toml", g)
		}
	}
	if !regexp.MustCompile(`(?m)^u\s+ventanilla\s`).Match(sysusers) {
		t.Error("sysusers.d does not create the user ventanilla")
	}
}
