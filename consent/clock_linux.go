//go:build linux

package consent

import "syscall"

// Kernel clock status values (linux/timex.h).
const (
	timeError  = 5      // adjtimex return: clock not synchronized
	staUnsync  = 0x0040 // status bit: clock not synchronized
	maxU32     = 1<<32 - 1
	microPerMs = 1000
)

// KernelClockSync reads the kernel's view of clock synchronization
// (adjtimex(2) in read-only mode; chrony and systemd-timesyncd keep it
// current). It returns ClockUnknown if the call fails.
func KernelClockSync() ClockSync {
	var tx syscall.Timex
	state, err := syscall.Adjtimex(&tx)
	if err != nil {
		return ClockSync{State: ClockUnknown}
	}
	if state == timeError || tx.Status&staUnsync != 0 {
		return ClockSync{State: ClockUnsynced}
	}
	ms := tx.Maxerror / microPerMs
	if ms > maxU32 {
		ms = maxU32
	}
	return ClockSync{State: ClockSynchronized, MaxErrorMillis: uint32(max(ms, 0))}
}
