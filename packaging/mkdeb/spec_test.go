package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/goreleaser/nfpm/v2/files"
)

// TestContents checks what the package holds and how: the config is a
// conffile dpkg never overwrites, every udev rules file present is shipped,
// each command has its man page, the daemon is in /usr/sbin.
func TestContents(t *testing.T) {
	needTool(t, "dpkg")
	s := testSpec(t, "0.0.1")
	info, err := s.Info([]string{"libc6"})
	if err != nil {
		t.Fatal(err)
	}
	byDest := map[string]*files.Content{}
	for _, c := range info.Contents {
		byDest[c.Destination] = c
	}
	if c := byDest["/etc/ventanilla/ventanilla.toml"]; c == nil || c.Type != files.TypeConfigNoReplace {
		t.Errorf("/etc/ventanilla/ventanilla.toml is %+v, want a config|noreplace conffile", c)
	}
	want := []string{"/usr/sbin/ventanillad", "/usr/bin/ventanillactl", "/usr/sbin/ventanilla-capture",
		"/usr/share/man/man8/ventanillad.8.gz", "/usr/share/man/man1/ventanillactl.1.gz",
		"/usr/lib/systemd/system/ventanillad.service", "/usr/lib/sysusers.d/ventanilla.conf",
		"/usr/lib/tmpfiles.d/ventanilla.conf", docDir + "/copyright", docDir + "/changelog.gz"}
	rules := mustGlob(t, filepath.Join(s.Root, "packaging", "udev", "*.rules"))
	for _, r := range rules {
		want = append(want, "/usr/lib/udev/rules.d/"+filepath.Base(r))
	}
	for _, d := range want {
		if byDest[d] == nil {
			t.Errorf("package lacks %s; it has %v", d, relPaths(info.Contents))
		}
	}
	for d, c := range byDest {
		if c.FileInfo != nil && c.FileInfo.Owner != "root" {
			t.Errorf("%s owned by %q: files in a .deb are root's; sysusers/tmpfiles set owners", d, c.FileInfo.Owner)
		}
	}
}

func TestUdevRulesGlob(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "packaging", "udev")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"70-b.rules", "60-a.rules", "doc.go", "rules_test.go", "README"} {
		if err := os.WriteFile(filepath.Join(dir, name), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := udevRules(root)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{filepath.Join(dir, "60-a.rules"), filepath.Join(dir, "70-b.rules")}
	if !slices.Equal(got, want) {
		t.Errorf("udevRules = %v, want %v", got, want)
	}
	if got, err := udevRules(t.TempDir()); err != nil || len(got) != 0 {
		t.Errorf("no udev directory: %v, %v; want none, no error", got, err)
	}
}

func TestPlaceBinary(t *testing.T) {
	for name, want := range map[string]binary{
		"ventanillad":        {"ventanillad", "/usr/sbin", "8"},
		"ventanilla-capture": {"ventanilla-capture", "/usr/sbin", "8"},
		"ventanillactl":      {"ventanillactl", "/usr/bin", "1"},
		"ine-sim":            {"ine-sim", "/usr/bin", "1"},
	} {
		if got := placeBinary(name); got != want {
			t.Errorf("placeBinary(%q) = %+v, want %+v", name, got, want)
		}
	}
}

// TestBinariesLeaveOutDevTools: the production package ships the daemon,
// the capture process and the CLI, never the reference INE service.
func TestBinariesLeaveOutDevTools(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{"ventanillad", "ventanilla-capture", "ventanillactl", "ine-sim"} {
		if err := os.WriteFile(filepath.Join(dir, n), []byte("#!/bin/sh\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	bins, err := binaries(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, b := range bins {
		names = append(names, b.name)
	}
	if want := []string{"ventanilla-capture", "ventanillactl", "ventanillad"}; !slices.Equal(names, want) {
		t.Errorf("binaries = %v; want %v", names, want)
	}
}

func TestParseSubstvars(t *testing.T) {
	got, err := parseSubstvars("shlibs:Depends=libc6 (>= 2.34), libopencv-core406 (>= 4.6.0+dfsg),libsqlite3-0 (>= 3.6.0)\n")
	want := []string{"libc6 (>= 2.34)", "libopencv-core406 (>= 4.6.0+dfsg)", "libsqlite3-0 (>= 3.6.0)"}
	if err != nil || !slices.Equal(got, want) {
		t.Errorf("parseSubstvars = %q, %v; want %q", got, err, want)
	}
	if _, err := parseSubstvars("dpkg-shlibdeps: warning: nothing\n"); err == nil {
		t.Error("no shlibs:Depends line must be an error")
	}
}

func TestDepends(t *testing.T) {
	plain := Depends([]string{"libc6 (>= 2.34)"})
	if slices.Contains(plain, "opencv-data") || !slices.Contains(plain, "systemd (>= 248)") {
		t.Errorf("without OpenCV: %q", plain)
	}
	cv := Depends([]string{"libc6 (>= 2.34)", "libopencv-objdetect406 (>= 4.6.0+dfsg)"})
	if !slices.Contains(cv, "opencv-data") {
		t.Errorf("with OpenCV linked, opencv-data (the cascades) must be a dependency: %q", cv)
	}
}

// TestShlibDependsOfRealBinaries asks dpkg-shlibdeps about the commands as
// built now: every library ldd shows must be covered by a dependency.
func TestShlibDependsOfRealBinaries(t *testing.T) {
	needTool(t, "dpkg-shlibdeps")
	bin := filepath.Join(builtBinaries(t), "ventanillad")
	deps, err := ShlibDepends([]string{bin})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(deps, func(d string) bool { return strings.HasPrefix(d, "libc6 ") }) {
		t.Errorf("ventanillad links glibc but the dependencies are %q", deps)
	}
	out, err := exec.Command("ldd", bin).Output()
	if err != nil {
		t.Skipf("ldd: %v", err)
	}
	for _, l := range strings.Split(string(out), "\n") {
		if strings.Contains(l, "libopencv_") && !slices.ContainsFunc(deps, func(d string) bool { return strings.HasPrefix(d, "libopencv-") }) {
			t.Errorf("ventanillad links %s but no libopencv package is a dependency: %q", strings.TrimSpace(l), deps)
		}
	}
	t.Logf("Depends: %s", strings.Join(Depends(deps), ", "))
}

func TestCommonLicense(t *testing.T) {
	apache := "Apache License\nVersion 2.0, January 2004\nhttp://www.apache.org/licenses/\n\nTERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION\n..."
	if got := string(commonLicense([]byte(apache))); !strings.Contains(got, "/usr/share/common-licenses/Apache-2.0") {
		t.Errorf("Apache-2.0 text not replaced by a reference: %q", got)
	}
	mit := "MIT License\n\nCopyright (c) 2013 Someone\n\nPermission is hereby granted..."
	if got := string(commonLicense([]byte(mit))); got != mit {
		t.Errorf("MIT text changed: %q", got)
	}
}

// TestShippedDocsCoverCitations: every docs page that the shipped config,
// the man pages or a packaged command's source cites is installed (in
// ventanilla, or kiosk-display.md in ventanilla-kiosk).
func TestShippedDocsCoverCitations(t *testing.T) {
	root := repoRoot(t)
	cite := regexp.MustCompile(`\b([a-z][a-z-]*\.md)\b`)
	sources := []string{"configs/ventanilla.toml", "packaging/mkdeb/manpage.go"}
	for _, cmd := range []string{"ventanillad", "ventanillactl", "ventanilla-capture"} {
		sources = append(sources, mustGlob(t, filepath.Join(root, "cmd", cmd, "*.go"))...)
	}
	shipped := append(slices.Clone(shippedDocs), "kiosk-display.md")
	for _, src := range sources {
		if strings.HasSuffix(src, "_test.go") {
			continue
		}
		if !filepath.IsAbs(src) {
			src = filepath.Join(root, src)
		}
		text, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range cite.FindAllStringSubmatch(string(text), -1) {
			if _, err := os.Stat(filepath.Join(root, "docs", m[1])); err == nil && !slices.Contains(shipped, m[1]) {
				t.Errorf("%s cites %s, which no package ships", filepath.Base(src), m[1])
			}
		}
	}
}
