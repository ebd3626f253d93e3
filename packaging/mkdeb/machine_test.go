package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// The users and groups the package creates (systemd/ventanilla.sysusers).
var (
	pkgUsers  = []string{"ventanilla"}
	pkgGroups = []string{"ventanilla", "ventanilla-tech", "ventanilla-admin"}
)

// guardInstall skips (or, in CI, fails) unless it is safe and wanted to
// install the package on this machine.
func guardInstall(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("the install test needs root (CI runs it as root)")
	}
	if !inCI() && os.Getenv("VENTANILLA_INSTALL_TEST") != "1" {
		t.Skip("the install test installs and purges a package on this machine; set VENTANILLA_INSTALL_TEST=1 to run it here (CI runs it)")
	}
	needTool(t, "dpkg")
	needTool(t, "setpriv")
	if st := dpkgQuery(t); st != "" && !strings.HasPrefix(st, "unknown ok not-installed") {
		skipOrFail(t, fmt.Sprintf("refusing to run: dpkg knows a %s package here (%q); purge it first", pkgName, st))
	}
	for _, p := range []string{stateDir, confDir} {
		if _, err := os.Lstat(p); err == nil {
			skipOrFail(t, "refusing to run: "+p+" exists and could hold real data")
		}
	}
}

// cleanupMachine purges the package, and removes the state directory and
// the users and groups, when they did not exist before the test (which
// guardInstall proved for the directory).
func cleanupMachine(t *testing.T) {
	t.Helper()
	var newUsers, newGroups []string
	for _, u := range pkgUsers {
		if _, err := user.Lookup(u); err != nil {
			newUsers = append(newUsers, u)
		}
	}
	for _, g := range pkgGroups {
		if _, err := user.LookupGroup(g); err != nil {
			newGroups = append(newGroups, g)
		}
	}
	t.Cleanup(func() {
		if out, err := exec.Command("dpkg", "--purge", pkgName).CombinedOutput(); err != nil {
			t.Errorf("cleanup: dpkg --purge: %v\n%s", err, out)
		}
		os.RemoveAll(stateDir)
		for _, u := range newUsers {
			exec.Command("userdel", u).Run()
		}
		for _, g := range newGroups {
			exec.Command("groupdel", g).Run()
		}
	})
}

// dpkg runs dpkg with args and fails the test with its output on error.
func dpkg(t *testing.T, args ...string) {
	t.Helper()
	cmd := exec.Command("dpkg", args...)
	cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
	out, err := cmd.CombinedOutput()
	t.Logf("dpkg %s:\n%s", strings.Join(args, " "), out)
	if err != nil {
		t.Fatalf("dpkg %s: %v", strings.Join(args, " "), err)
	}
}

// dpkgQuery returns "<status> <version>" of the package, or "" if dpkg
// has never heard of it.
func dpkgQuery(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("dpkg-query", "-W", "-f=${Status} ${Version}", pkgName).Output()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ""
	}
	if err != nil {
		t.Fatalf("dpkg-query: %v", err)
	}
	return strings.TrimSpace(string(out))
}

// getent returns field n (0-based) of a passwd or group entry.
func getent(t *testing.T, db, name string, n int) string {
	t.Helper()
	out, err := exec.Command("getent", db, name).Output()
	if err != nil {
		t.Errorf("getent %s %s: %v", db, name, err)
		return ""
	}
	fields := strings.Split(strings.TrimSpace(string(out)), ":")
	if n >= len(fields) {
		t.Fatalf("getent %s %s: %q has no field %d", db, name, out, n)
	}
	return fields[n]
}

func checkOwner(t *testing.T, path, owner, group string, mode os.FileMode) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Error(err)
		return
	}
	st := fi.Sys().(*syscall.Stat_t)
	u, _ := user.LookupId(strconv.Itoa(int(st.Uid)))
	g, _ := user.LookupGroupId(strconv.Itoa(int(st.Gid)))
	if u == nil || g == nil || u.Username != owner || g.Name != group || fi.Mode().Perm() != mode {
		t.Errorf("%s: owner %d:%d mode %o, want %s:%s %o", path, st.Uid, st.Gid, fi.Mode().Perm(), owner, group, mode)
	}
}

// asUser runs a command as user (with extra supplementary groups), the way
// systemd's User= and SupplementaryGroups= would, through setpriv(1).
func asUser(user string, groups []string, name string, args ...string) *exec.Cmd {
	g := "--clear-groups"
	if len(groups) > 0 {
		g = "--groups=" + strings.Join(groups, ",")
	}
	pre := []string{"--reuid=" + user, "--regid=" + primaryGroup(user), g, "--"}
	cmd := exec.Command("setpriv", append(append(pre, name), args...)...)
	cmd.Env = []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C"}
	return cmd
}

func primaryGroup(name string) string {
	if name == "nobody" {
		return "nogroup"
	}
	return name
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func mustGlob(t *testing.T, pattern string) []string {
	t.Helper()
	m, err := filepath.Glob(pattern)
	if err != nil {
		t.Fatal(err)
	}
	return m
}
