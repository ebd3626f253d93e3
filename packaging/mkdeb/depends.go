package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
)

// baseDepends are what the package needs besides shared libraries:
// systemd-sysusers and systemd-tmpfiles for the postinst, and a systemd
// that knows every setting in the unit (PrivateIPC= is from 248).
var baseDepends = []string{"systemd (>= 248)"}

// ShlibDepends asks dpkg-shlibdeps which packages provide the shared
// libraries the binaries link, with the minimum versions their symbols
// need: the same answer debhelper's ${shlibs:Depends} would give.
func ShlibDepends(binPaths []string) ([]string, error) {
	work, err := os.MkdirTemp("", "mkdeb-shlibs-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(work)
	control := "Source: " + pkgName + "\n\nPackage: " + pkgName + "\nArchitecture: any\n"
	if err := os.MkdirAll(filepath.Join(work, "debian"), 0o755); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(work, "debian", "control"), []byte(control), 0o644); err != nil {
		return nil, err
	}
	args := []string{"-O"}
	for _, p := range binPaths {
		args = append(args, "-e"+p)
	}
	cmd := exec.Command("dpkg-shlibdeps", args...)
	cmd.Dir = work
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("dpkg-shlibdeps: %w: %s (install dpkg-dev: scripts/deps.sh)", err, strings.TrimSpace(stderr.String()))
	}
	return parseSubstvars(string(out))
}

// parseSubstvars reads "shlibs:Depends=a (>= 1), b" lines.
func parseSubstvars(out string) ([]string, error) {
	var deps []string
	for _, line := range strings.Split(out, "\n") {
		v, ok := strings.CutPrefix(strings.TrimSpace(line), "shlibs:Depends=")
		if !ok {
			continue
		}
		for _, d := range strings.Split(v, ",") {
			if d = strings.TrimSpace(d); d != "" {
				deps = append(deps, d)
			}
		}
	}
	if len(deps) == 0 {
		return nil, fmt.Errorf("dpkg-shlibdeps printed no shlibs:Depends in %q", out)
	}
	return deps, nil
}

// Depends is the package's Depends: the shared libraries' packages,
// opencv-data when OpenCV is linked (the Haar cascades are loaded from
// /usr/share/opencv4 at run time), and baseDepends.
func Depends(shlibs []string) []string {
	deps := slices.Clone(shlibs)
	if slices.ContainsFunc(shlibs, func(d string) bool { return strings.HasPrefix(d, "libopencv-") }) {
		deps = append(deps, "opencv-data")
	}
	return append(deps, baseDepends...)
}
