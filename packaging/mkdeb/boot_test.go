package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// bootTimeout bounds the wait for the container's systemd to finish
// booting; a limit on waiting for an event, not a measured time.
const bootTimeout = 3 * time.Minute

// TestBootUnderSystemd boots systemd in a container (systemd-nspawn) over
// a throw-away overlay of this machine's root, installs the package there
// with dpkg, lets the postinst start the units, and checks the daemon
// runs under the real sandbox: the service is active (so READY=1 came
// through every restriction), and the diagnostics socket admits a
// technician, refuses an outsider, and lets only an admin write.
//
// Opt-in (VENTANILLA_BOOT_TEST=1, as root, with systemd-nspawn): it needs
// the daemon changes listed in docs/operations.md ("What the daemon must do
// under this unit"). VENTANILLA_BOOT_DEB=path tests a package built
// elsewhere.
func TestBootUnderSystemd(t *testing.T) {
	if os.Getenv("VENTANILLA_BOOT_TEST") != "1" {
		t.Skip("boots systemd in a container; set VENTANILLA_BOOT_TEST=1 (as root) to run it")
	}
	if os.Geteuid() != 0 {
		t.Fatal("VENTANILLA_BOOT_TEST needs root")
	}
	needTool(t, "systemd-nspawn")
	deb := os.Getenv("VENTANILLA_BOOT_DEB")
	if deb == "" {
		deb = defaultDeb(t)
	}
	root := overlayRoot(t)
	prepareContainer(t, root, deb)
	c := bootContainer(t, root)
	c.run(t, "dpkg", "-i", "/root/ventanilla.deb")
	for _, unit := range []string{"ventanillad.socket", "ventanillad.service"} {
		// is-active with several units succeeds if any one is active.
		if out, err := c.output("systemctl", "is-active", unit); err != nil {
			logs, _ := c.output("journalctl", "-u", "ventanillad", "--no-pager", "-n", "30")
			t.Fatalf("%s not active after install (%v): %s\n%s", unit, err, out, logs)
		}
	}
	c.run(t, "useradd", "-M", "-G", "ventanilla-tech", "vtech")
	c.run(t, "useradd", "-M", "-G", "ventanilla-tech,ventanilla-admin", "vadmin")
	c.checkDiag(t)
	sec, _ := c.output("systemd-analyze", "security", "--no-pager", "ventanillad.service")
	if m := exposureRE.FindStringSubmatch(sec); m != nil {
		t.Logf("exposure of the running unit: %s", m[1])
	}
}

// overlayRoot mounts a tmpfs-backed overlay of / : the container sees this
// machine's files and writes only to memory, which goes at cleanup.
func overlayRoot(t *testing.T) string {
	t.Helper()
	base := t.TempDir()
	mount(t, "-t", "tmpfs", "-o", "size=2g,mode=0755", "tmpfs", base)
	for _, d := range []string{"upper", "work", "merged"} {
		if err := os.Mkdir(filepath.Join(base, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	merged := filepath.Join(base, "merged")
	mount(t, "-t", "overlay", "-o", "lowerdir=/,upperdir="+base+"/upper,workdir="+base+"/work", "overlay", merged)
	return merged
}

func mount(t *testing.T, args ...string) {
	t.Helper()
	if out, err := exec.Command("mount", args...).CombinedOutput(); err != nil {
		t.Fatalf("mount %v: %v\n%s", args, err, out)
	}
	target := args[len(args)-1]
	t.Cleanup(func() {
		if out, err := exec.Command("umount", target).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v\n%s", target, err, out)
		}
	})
}

// prepareContainer boots into a target of basic services only (none of
// this machine's own), lets postinst start services (no policy-rc.d), and
// puts the package in /root.
func prepareContainer(t *testing.T, root, deb string) {
	t.Helper()
	target := "[Unit]\nDescription=Ventanilla boot test\nRequires=basic.target\nAfter=basic.target\nAllowIsolate=yes\n"
	write(t, filepath.Join(root, "etc/systemd/system/ventanilla-test.target"), target)
	os.Remove(filepath.Join(root, "usr/sbin/policy-rc.d"))
	b, err := os.ReadFile(deb)
	if err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(root, "root/ventanilla.deb"), string(b))
}

func write(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// container is a booted systemd-nspawn container.
type container struct{ leader int }

// bootContainer starts systemd-nspawn and waits until the container's
// systemd has finished booting (nspawn's READY=1 with --notify-ready).
func bootContainer(t *testing.T, root string) *container {
	t.Helper()
	conn, sock := notifySocket(t)
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, "systemd-nspawn", "-D", root, "--register=no", "--keep-unit",
		"--private-network", "--notify-ready=yes", "--uuid="+randomUUID(t), "-M", "vtest", "-b",
		"--", "systemd.unit=ventanilla-test.target")
	cmd.Env = append(os.Environ(), "NOTIFY_SOCKET="+sock)
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = time.Minute
	var console bytes.Buffer
	cmd.Stdout, cmd.Stderr = &console, &console
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() { cancel(); <-exited })
	leader := waitBooted(t, conn, exited, &console)
	return &container{leader: leader}
}

// waitBooted reads nspawn's notifications: X_NSPAWN_LEADER_PID names the
// container's init, READY=1 says it has booted.
func waitBooted(t *testing.T, conn *net.UnixConn, exited <-chan error, console *bytes.Buffer) int {
	t.Helper()
	leader := make(chan int, 1)
	go func() {
		pid, buf := 0, make([]byte, 4096)
		for {
			n, err := conn.Read(buf)
			if err != nil {
				return
			}
			for _, l := range strings.Split(string(buf[:n]), "\n") {
				if v, ok := strings.CutPrefix(l, "X_NSPAWN_LEADER_PID="); ok {
					pid, _ = strconv.Atoi(v)
				}
				if l == "READY=1" && pid > 0 {
					leader <- pid
					return
				}
			}
		}
	}()
	select {
	case pid := <-leader:
		return pid
	case err := <-exited:
		t.Fatalf("systemd-nspawn exited before the container booted: %v\n%s", err, console.String())
	case <-time.After(bootTimeout):
		t.Fatalf("container not booted within %v\n%s", bootTimeout, console.String())
	}
	return 0
}

func randomUUID(t *testing.T) string {
	b, err := os.ReadFile("/proc/sys/kernel/random/uuid")
	if err != nil {
		t.Fatal(err)
	}
	return strings.ReplaceAll(strings.TrimSpace(string(b)), "-", "")
}

// output runs a command inside the container.
func (c *container) output(name string, args ...string) (string, error) {
	pre := []string{"-t", strconv.Itoa(c.leader), "-a", "--", name}
	out, err := exec.Command("nsenter", append(pre, args...)...).CombinedOutput()
	return string(out), err
}

func (c *container) run(t *testing.T, name string, args ...string) {
	t.Helper()
	out, err := c.output(name, args...)
	t.Logf("%s %s:\n%s", name, strings.Join(args, " "), out)
	if err != nil {
		t.Fatalf("in container: %s %v: %v", name, args, err)
	}
}

// ctl runs ventanillactl in the container as user and returns its output
// and exit status.
func (c *container) ctl(user string, args ...string) (string, int) {
	out, err := c.output("runuser", append([]string{"-u", user, "--", "ventanillactl"}, args...)...)
	if ee, ok := err.(*exec.ExitError); ok {
		return out, ee.ExitCode()
	}
	if err != nil {
		return fmt.Sprint(err), -1
	}
	return out, 0
}

// checkDiag checks the socket-activated diagnostics socket's rules under
// the sandbox (ProtectProc=invisible hides clients' /proc entries).
func (c *container) checkDiag(t *testing.T) {
	t.Helper()
	if out, code := c.ctl("vtech", "health"); code > 1 || strings.Contains(out, "permission denied") {
		t.Errorf("technician: ventanillactl health exit %d:\n%s", code, out)
	}
	if out, code := c.ctl("nobody", "health"); code != 3 {
		t.Errorf("outsider: ventanillactl health exit %d, want 3 (cannot connect):\n%s", code, out)
	}
	if out, code := c.ctl("vtech", "loglevel", "debug"); code == 0 {
		t.Errorf("technician changed the log level:\n%s", out)
	}
	if out, code := c.ctl("vadmin", "loglevel", "info"); code != 0 {
		t.Errorf("admin: loglevel exit %d:\n%s", code, out)
	}
}
