package main

import (
	"errors"
	"net"
	"os"
	"os/exec"
	"syscall"
	"testing"
)

// TestDenyNetwork installs the filter in a child copy of this test binary
// (it cannot be removed again): TCP and UDP sockets fail with EPERM, a
// unix socket still works.
func TestDenyNetwork(t *testing.T) {
	if os.Getenv("NONET_CHILD") == "1" {
		if err := denyNetwork(); err != nil {
			t.Fatal(err)
		}
		if _, err := net.Listen("tcp", "127.0.0.1:0"); !errors.Is(err, syscall.EPERM) {
			t.Fatalf("tcp listen after the filter: %v; want EPERM", err)
		}
		if _, err := net.ListenPacket("udp", "127.0.0.1:0"); !errors.Is(err, syscall.EPERM) {
			t.Fatalf("udp after the filter: %v; want EPERM", err)
		}
		fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_SEQPACKET, 0)
		if err != nil {
			t.Fatalf("unix socketpair after the filter: %v", err)
		}
		syscall.Close(fds[0])
		syscall.Close(fds[1])
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestDenyNetwork$", "-test.v")
	cmd.Env = append(os.Environ(), "NONET_CHILD=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
}
