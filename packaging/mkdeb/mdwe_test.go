package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// The test binary doubles as two helpers, chosen by environment:
//
//	VENTANILLA_TEST_MDWE_EXEC=1  refuse writable+executable memory for
//	                             itself and everything it executes
//	                             (prctl PR_SET_MDWE, Linux 6.3, the kernel's
//	                             form of MemoryDenyWriteExecute=), then run
//	                             the command in its arguments
//	VENTANILLA_TEST_WX_PROBE=1   try to map W+X memory; exit 0 if refused,
//	                             10 if allowed
const (
	envMDWEExec = "VENTANILLA_TEST_MDWE_EXEC"
	envWXProbe  = "VENTANILLA_TEST_WX_PROBE"
	wxAllowed   = 10
)

// helperMain runs a helper mode and does not return when one is asked for.
func helperMain() {
	switch {
	case os.Getenv(envMDWEExec) == "1":
		os.Exit(mdweExec(os.Args[1:]))
	case os.Getenv(envWXProbe) == "1":
		b, err := unix.Mmap(-1, 0, 4096, unix.PROT_READ|unix.PROT_WRITE|unix.PROT_EXEC, unix.MAP_PRIVATE|unix.MAP_ANON)
		if err != nil {
			os.Exit(0)
		}
		unix.Munmap(b)
		os.Exit(wxAllowed)
	}
}

func mdweExec(args []string) int {
	if err := unix.Prctl(unix.PR_SET_MDWE, unix.PR_MDWE_REFUSE_EXEC_GAIN, 0, 0, 0); err != nil {
		fmt.Fprintln(os.Stderr, "prctl(PR_SET_MDWE):", err)
		return 125
	}
	path, err := exec.LookPath(args[0])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 127
	}
	env := os.Environ()
	for i, e := range env {
		if e == envMDWEExec+"=1" {
			env = append(env[:i], env[i+1:]...)
			break
		}
	}
	err = syscall.Exec(path, args, env)
	fmt.Fprintln(os.Stderr, "exec:", err)
	return 126
}

// underMDWE rewrites cmd to run under the kernel's W^X refusal, when the
// kernel has it (Linux 6.3+); it reports whether it did.
func underMDWE(t *testing.T, cmd *exec.Cmd) bool {
	t.Helper()
	if !kernelHasMDWE(t) {
		return false
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Args = append([]string{self}, cmd.Args...)
	cmd.Path = self
	cmd.Env = append(cmd.Env, envMDWEExec+"=1")
	return true
}

// kernelHasMDWE checks the wrapper really refuses W+X memory here: the
// probe is allowed it without the wrapper and refused with it.
func kernelHasMDWE(t *testing.T) bool {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	probe := func(wrapped bool) int {
		cmd := exec.Command(self)
		cmd.Env = append(os.Environ(), envWXProbe+"=1")
		if wrapped {
			cmd.Args = append(cmd.Args, self)
			cmd.Env = append(cmd.Env, envMDWEExec+"=1")
		}
		err := cmd.Run()
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return ee.ExitCode()
		}
		if err != nil {
			t.Fatal(err)
		}
		return 0
	}
	if got := probe(false); got != wxAllowed {
		t.Fatalf("W+X probe without MDWE exited %d; want %d (allowed)", got, wxAllowed)
	}
	switch got := probe(true); got {
	case 0:
		return true
	case 125:
		t.Log("kernel without PR_SET_MDWE (Linux < 6.3): the daemon runs without W^X here")
		return false
	default:
		t.Fatalf("W+X probe under MDWE exited %d; want 0 (refused)", got)
		return false
	}
}

func TestMDWEWrapper(t *testing.T) {
	if !kernelHasMDWE(t) {
		t.Skip("kernel lacks PR_SET_MDWE")
	}
}
