package main

import (
	"fmt"
	"runtime"
	"unsafe"

	"golang.org/x/sys/unix"
)

// seccomp_data offsets (linux/seccomp.h): nr, arch, instruction pointer,
// then six 64-bit arguments (the low 32 bits first on little-endian).
const (
	offNr   = 0
	offArch = 4
	offArg0 = 16
)

// auditArch is this build's AUDIT_ARCH_* value.
func auditArch() (uint32, error) {
	switch runtime.GOARCH {
	case "amd64":
		return unix.AUDIT_ARCH_X86_64, nil
	case "arm64":
		return unix.AUDIT_ARCH_AARCH64, nil
	}
	return 0, fmt.Errorf("seccomp: no filter for %s", runtime.GOARCH)
}

// denyNetwork installs a seccomp filter on every thread of the process:
// socket(2) of any family but AF_UNIX fails with EPERM, so nothing in the
// capture process (OpenCV, FFmpeg, GStreamer plug-ins) can open a network
// connection; a syscall of another architecture's ABI fails too. The
// daemon's socket is inherited, so the process needs no new one but
// local ones. It cannot be undone (no_new_privs is set first).
func denyNetwork() error {
	arch, err := auditArch()
	if err != nil {
		return err
	}
	const (
		ld    = unix.BPF_LD | unix.BPF_W | unix.BPF_ABS
		jeq   = unix.BPF_JMP | unix.BPF_JEQ | unix.BPF_K
		ret   = unix.BPF_RET | unix.BPF_K
		allow = unix.SECCOMP_RET_ALLOW
		eperm = unix.SECCOMP_RET_ERRNO | uint32(unix.EPERM)
	)
	prog := []unix.SockFilter{
		{Code: ld, K: offArch},
		{Code: jeq, K: arch, Jt: 1, Jf: 0},
		{Code: ret, K: eperm}, // a foreign ABI
		{Code: ld, K: offNr},
		{Code: jeq, K: uint32(unix.SYS_SOCKET), Jt: 1, Jf: 0},
		{Code: ret, K: allow},
		{Code: ld, K: offArg0},
		{Code: jeq, K: unix.AF_UNIX, Jt: 0, Jf: 1},
		{Code: ret, K: allow},
		{Code: ret, K: eperm},
	}
	if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
		return fmt.Errorf("seccomp: no_new_privs: %w", err)
	}
	fp := unix.SockFprog{Len: uint16(len(prog)), Filter: &prog[0]}
	_, _, errno := unix.Syscall(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER, unix.SECCOMP_FILTER_FLAG_TSYNC, uintptr(unsafe.Pointer(&fp)))
	runtime.KeepAlive(prog)
	if errno != 0 {
		return fmt.Errorf("seccomp: install filter: %w", errno)
	}
	return nil
}
