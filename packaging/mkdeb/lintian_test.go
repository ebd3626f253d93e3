package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestLintian runs Debian's lintian on the package. Errors and warnings
// fail; informational tags are logged. The ones expected today are listed
// in docs/operations.md ("Lintian"): .comment sections and unfortified C
// functions in the cgo parts, and a unit without a SysV init script.
func TestLintian(t *testing.T) {
	lintian := needTool(t, "lintian")
	deb := defaultDeb(t)
	out, err := exec.Command(lintian, "--display-info", "--fail-on", "error,warning", deb).CombinedOutput()
	var tags []string
	for _, l := range strings.Split(string(out), "\n") {
		if len(l) > 2 && l[1] == ':' && strings.Contains(l, " "+pkgName+": ") {
			tags = append(tags, l)
		}
	}
	t.Logf("lintian tags:\n%s", strings.Join(tags, "\n"))
	if err != nil {
		t.Fatalf("lintian: %v\n%s", err, out)
	}
	for _, tag := range tags {
		if tag[0] == 'E' || tag[0] == 'W' {
			t.Errorf("lintian %s", tag)
		}
	}
}
