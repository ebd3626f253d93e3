// Package secmem provides memory for biometric and credential bytes that is
// locked in RAM (mlock, so it never reaches swap), excluded from core dumps
// (MADV_DONTDUMP), lives outside the Go heap (mmap, so the garbage collector
// never copies it) and is wiped with clear() when released.
//
// Ownership: whoever allocates a Buffer releases it, on every path (answer,
// abort, timeout, shutdown). Release is idempotent. Allocator.Close releases
// whatever is still live, so a daemon can wipe everything on shutdown.
//
// Pool: Release wipes the buffer and keeps its region (still locked,
// non-dumpable, all zero) for the next allocation of the same size class
// (whole pages, then one of eight classes per power of two, up to 4 MiB)
// instead of munmapping it, within Opts.PoolBytes (8 MiB by default) and,
// with the live bytes, within Opts.MaxBytes; a verification then costs no
// mmap/mlock/munmap. Close unmaps the pool. An idle region is never handed
// out before it is zero, and AuditReleased checks idle regions too.
//
// When mlock fails (RLIMIT_MEMLOCK too small, or no CAP_IPC_LOCK) the
// allocator does not pretend: the buffer is still mmap'd, non-dumpable and
// wiped, but Buffer.Locked reports false, Stats.Unlocked counts it and the
// Opts.OnLockFailure callback fires, so the daemon can raise a health
// condition. Opts.RequireLock turns that case into ErrNotLocked instead.
//
// DisableCoreDumps (prctl PR_SET_DUMPABLE 0 and RLIMIT_CORE 0) belongs at
// daemon start, before any biometric is captured.
//
// This package must never write a buffer's contents anywhere (file, log,
// error message), and never hand out a slice that outlives its Release
// without documenting it: bytes read through a released slice are zero, and
// after unmapping, touching them faults.
package secmem
