//go:build linux

package consent

import (
	"os"
	"syscall"
)

// Kernel clock status values (linux/timex.h).
const (
	timeError  = 5      // adjtimex return: clock not synchronized
	staUnsync  = 0x0040 // status bit: clock not synchronized
	maxU32     = 1<<32 - 1
	microPerMs = 1000
)

// TimesyncMarker is the file systemd-timesyncd touches after each
// successful synchronization (what systemd-time-wait-sync waits for).
var TimesyncMarker = "/run/systemd/timesync/synchronized"

// KernelClockSync reads the kernel's view of clock synchronization
// (adjtimex(2) in read-only mode; chrony and systemd-timesyncd keep it
// current). Under systemd's ProtectClock= even a read-only adjtimex is
// refused; then systemd-timesyncd's marker file answers "synchronized"
// (without an error bound), and its absence "unknown".
func KernelClockSync() ClockSync {
	var tx syscall.Timex
	state, err := syscall.Adjtimex(&tx)
	if err != nil {
		if _, serr := os.Stat(TimesyncMarker); serr == nil {
			return ClockSync{State: ClockSynchronized}
		}
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
