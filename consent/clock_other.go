//go:build !linux

package consent

// KernelClockSync reports ClockUnknown outside Linux.
func KernelClockSync() ClockSync { return ClockSync{State: ClockUnknown} }
