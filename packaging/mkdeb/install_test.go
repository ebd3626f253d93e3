package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Paths the package creates or owns on the machine under test.
const (
	stateDir    = "/var/lib/ventanilla"
	confDir     = "/etc/ventanilla"
	runDir      = "/run/ventanilla"
	confFile    = confDir + "/ventanilla.toml"
	ledgerFile  = stateDir + "/consent-ledger.db"
	purgeMarker = stateDir + "/DELETE-ON-PURGE"
	wantsLink   = "/etc/systemd/system/multi-user.target.wants/ventanillad.service"
	socketLink  = "/etc/systemd/system/sockets.target.wants/ventanillad.socket"
)

// TestInstallUpgradePurge installs the package on this machine with dpkg,
// runs the installed daemon, upgrades with a locally edited config and a
// consent ledger in place, purges (the ledger must stay), and purges again
// after root asked for the ledger to go (it must be gone).
//
// It changes the machine, so it runs only as root, only in CI or with
// VENTANILLA_INSTALL_TEST=1, only when no ventanilla package or data is
// present, and it always purges and removes what it created afterwards.
func TestInstallUpgradePurge(t *testing.T) {
	guardInstall(t)
	v1, v2 := defaultDeb(t), buildTestDeb(t, "0.0.2")
	cleanupMachine(t)

	dpkg(t, "-i", v1)
	checkInstalled(t, "0.0.1")
	checkConfigAs(t, "root")
	checkConfigAs(t, "ventanilla")
	smokeTest(t)

	t.Run("upgrade keeps config and ledger", func(t *testing.T) {
		edited := editConfig(t)
		writeLedger(t)
		dpkg(t, "-i", v2)
		checkInstalled(t, "0.0.2")
		if got := readFile(t, confFile); got != edited {
			t.Errorf("upgrade changed the locally edited %s", confFile)
		}
		checkLedger(t)
	})
	t.Run("purge keeps ledger", func(t *testing.T) {
		// The daemon's own user cannot ask for the ledger to go.
		writeFileAs(t, purgeMarker, "ventanilla")
		dpkg(t, "--purge", pkgName)
		checkPurged(t)
		checkLedger(t)
	})
	t.Run("explicit purge deletes ledger", func(t *testing.T) {
		dpkg(t, "-i", v2)
		checkLedger(t)
		writeFileAs(t, purgeMarker, "root")
		dpkg(t, "--purge", pkgName)
		checkPurged(t)
		if _, err := os.Stat(stateDir); !os.IsNotExist(err) {
			t.Errorf("%s still there after purge with a root-owned %s (%v)", stateDir, filepath.Base(purgeMarker), err)
		}
	})
}

// checkInstalled checks the files, users and directories an install
// leaves, and that the unit was enabled.
func checkInstalled(t *testing.T, version string) {
	t.Helper()
	if got := dpkgQuery(t); got != "install ok installed "+version {
		t.Fatalf("dpkg says %q, want installed %s", got, version)
	}
	for _, p := range []string{"/usr/sbin/ventanillad", "/usr/bin/ventanillactl", confFile,
		"/usr/lib/systemd/system/ventanillad.service", "/usr/lib/systemd/system/ventanillad.socket",
		"/usr/share/man/man8/ventanillad.8.gz", wantsLink, socketLink} {
		if _, err := os.Lstat(p); err != nil {
			t.Errorf("after install: %v", err)
		}
	}
	for _, rule := range mustGlob(t, filepath.Join(repoRoot(t), "packaging", "udev", "*.rules")) {
		if _, err := os.Stat("/usr/lib/udev/rules.d/" + filepath.Base(rule)); err != nil {
			t.Errorf("udev rules not installed: %v", err)
		}
	}
	checkOwner(t, stateDir, "ventanilla", "ventanilla", 0o700)
	checkOwner(t, confDir+"/private", "root", "ventanilla", 0o750)
	checkOwner(t, confDir+"/ine", "root", "ventanilla", 0o750)
	if shell := getent(t, "passwd", "ventanilla", 6); shell != "/usr/sbin/nologin" {
		t.Errorf("user ventanilla has shell %q, want /usr/sbin/nologin", shell)
	}
	for _, g := range []string{"ventanilla-tech", "ventanilla-admin"} {
		getent(t, "group", g, 0)
	}
}

// checkPurged checks that purge removed the package, its configuration,
// provisioned key directory and enablement, and kept the users.
func checkPurged(t *testing.T) {
	t.Helper()
	if got := dpkgQuery(t); got != "" && !strings.HasPrefix(got, "unknown ok not-installed") {
		t.Errorf("dpkg still knows the package after purge: %q", got)
	}
	for _, p := range []string{"/usr/sbin/ventanillad", confDir, runDir, wantsLink, socketLink,
		"/usr/lib/systemd/system/ventanillad.service", "/usr/lib/systemd/system/ventanillad.socket"} {
		if _, err := os.Lstat(p); !os.IsNotExist(err) {
			t.Errorf("after purge %s is still there (%v)", p, err)
		}
	}
	getent(t, "passwd", "ventanilla", 0) // kept: it owns the kept ledger
}

// checkConfigAs runs the installed daemon's --check-config on the installed
// default config, as root and as the service's user.
func checkConfigAs(t *testing.T, user string) {
	t.Helper()
	out, err := asUser(user, nil, "/usr/sbin/ventanillad", "--check-config", confFile).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "valid") {
		t.Errorf("as %s: ventanillad --check-config %s: %v\n%s", user, confFile, err, out)
	}
}

func editConfig(t *testing.T) string {
	t.Helper()
	text := strings.Replace(readFile(t, confFile), `id = "kiosk"`, `id = "kiosk-under-test"`, 1)
	if !strings.Contains(text, "kiosk-under-test") {
		t.Fatal("could not edit kiosk.id in the installed config; update this test")
	}
	if err := os.WriteFile(confFile, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return text
}

const ledgerText = "stand-in for the consent ledger\n"

func writeLedger(t *testing.T) {
	t.Helper()
	writeFileAs(t, ledgerFile, "ventanilla")
	if err := os.WriteFile(ledgerFile, []byte(ledgerText), 0o600); err != nil {
		t.Fatal(err)
	}
}

func checkLedger(t *testing.T) {
	t.Helper()
	if got := readFile(t, ledgerFile); got != ledgerText {
		t.Errorf("%s changed: %q", ledgerFile, got)
	}
}

// writeFileAs creates an empty file owned by user (as `touch` run by them).
func writeFileAs(t *testing.T, path, user string) {
	t.Helper()
	if out, err := exec.Command("install", "-o", user, "-g", user, "-m", "0600", "/dev/null", path).CombinedOutput(); err != nil {
		t.Fatalf("create %s as %s: %v\n%s", path, user, err, out)
	}
}
