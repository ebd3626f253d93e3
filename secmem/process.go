package secmem

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// DisableCoreDumps marks the process non-dumpable (prctl PR_SET_DUMPABLE 0:
// no core file, no ptrace attach by same-uid processes, /proc/PID/mem closed
// to them) and sets RLIMIT_CORE to 0. Call it once at daemon start, before any
// biometric is in memory. An error means the protection is not in place and
// should be reported as a health condition.
func DisableCoreDumps() error {
	if err := unix.Prctl(unix.PR_SET_DUMPABLE, 0, 0, 0, 0); err != nil {
		return fmt.Errorf("secmem: prctl(PR_SET_DUMPABLE, 0): %w", err)
	}
	if err := unix.Setrlimit(unix.RLIMIT_CORE, &unix.Rlimit{}); err != nil {
		return fmt.Errorf("secmem: setrlimit(RLIMIT_CORE, 0): %w", err)
	}
	return nil
}

// Dumpable reports the process's PR_GET_DUMPABLE flag (self-test).
func Dumpable() (bool, error) {
	v, err := unix.PrctlRetInt(unix.PR_GET_DUMPABLE, 0, 0, 0, 0)
	if err != nil {
		return false, fmt.Errorf("secmem: prctl(PR_GET_DUMPABLE): %w", err)
	}
	return v != 0, nil
}

// MemlockLimit returns the soft RLIMIT_MEMLOCK in bytes (self-test and
// health message: how much biometric memory can be locked).
func MemlockLimit() (uint64, error) {
	var r unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_MEMLOCK, &r); err != nil {
		return 0, fmt.Errorf("secmem: getrlimit(RLIMIT_MEMLOCK): %w", err)
	}
	return r.Cur, nil
}

// SelfTest allocates one page, checks it is locked and writable, and
// releases it. It returns an error wrapping ErrNotLocked when locking is not
// possible (the daemon's "secmem.unlocked" condition), or the allocation
// error.
func (a *Allocator) SelfTest() error {
	b, err := a.Alloc(4096)
	if err != nil {
		return err
	}
	defer b.Release()
	p := b.Bytes()
	p[0], p[len(p)-1] = 0xA5, 0x5A
	if !b.Locked() {
		lim, _ := MemlockLimit()
		return fmt.Errorf("%w (RLIMIT_MEMLOCK is %d bytes)", ErrNotLocked, lim)
	}
	return nil
}
