package secmem

import (
	"errors"
	"fmt"
	"os"
	"sync"
	"unsafe"

	"golang.org/x/sys/unix"
)

// ErrNotLocked is returned by Alloc when Opts.RequireLock is set and the
// pages could not be locked in RAM. Retrying does not help until the
// process's RLIMIT_MEMLOCK is raised (systemd LimitMEMLOCK=) or it is given
// CAP_IPC_LOCK.
var ErrNotLocked = errors.New("secmem: memory could not be locked (raise RLIMIT_MEMLOCK / LimitMEMLOCK= or grant CAP_IPC_LOCK)")

// ErrReleased is returned when a released buffer is used or a slice is not
// (or no longer) owned by the allocator. It is a programming error; do not
// retry.
var ErrReleased = errors.New("secmem: buffer already released or not from this allocator")

// ErrClosed is returned by Alloc after Close. Do not retry.
var ErrClosed = errors.New("secmem: allocator closed")

// Opts configures an Allocator.
type Opts struct {
	// RequireLock makes Alloc fail with ErrNotLocked instead of returning an
	// unlocked buffer when mlock fails.
	RequireLock bool
	// OnLockFailure, if set, is called (outside the allocator's lock) each
	// time mlock fails, with the error from the kernel. The daemon turns it
	// into a health condition. It must not block.
	OnLockFailure func(err error)
	// MaxBytes bounds the bytes live at once (0 means no bound), so a bug
	// cannot lock all of RAM.
	MaxBytes int
	// RetainReleased is for tests only: released mappings are wiped and
	// unlocked but kept mapped, so AuditReleased can prove they are zero.
	// Never set it in production (memory is never returned).
	RetainReleased bool
	// PoolBytes bounds the wiped, still-locked regions kept for reuse, so a
	// verification does not map, lock and unmap a payload-sized buffer each
	// time. 0 means DefaultPoolBytes; negative turns the pool off.
	PoolBytes int
}

// DefaultPoolBytes is the idle pool's bound when Opts.PoolBytes is 0: room
// for a few verifications' payloads and captures.
const DefaultPoolBytes = 8 << 20

// maxPooledRegion is the largest region the pool keeps; larger ones are
// unmapped on release as before.
const maxPooledRegion = 4 << 20

// DefaultOpts returns the production defaults: report (not require) lock
// failures, at most 64 MiB live.
func DefaultOpts() *Opts { return &Opts{MaxBytes: 64 << 20} }

// Stats is a snapshot of an allocator's counters.
type Stats struct {
	Live      int // buffers allocated and not yet released
	LiveBytes int // bytes requested by live buffers
	Allocs    int // buffers ever allocated
	Released  int // buffers ever released (each wiped)
	Unlocked  int // buffers ever handed out without mlock
	Reused    int // allocations served from the pool (no mmap)
	Pooled    int // idle regions in the pool (wiped, mapped)
}

// Allocator hands out Buffers and tracks them. It is safe for concurrent use.
type Allocator struct {
	opts Opts

	mu       sync.Mutex
	live     map[*Buffer]struct{}
	bySlice  map[uintptr]*Buffer
	retained [][]byte
	pool     map[int][]pooled // by region size; every region is all zero
	idle     int              // bytes in pool
	stats    Stats
	closed   bool
}

// pooled is an idle region: wiped, still mapped, DONTDUMP, locked if it was.
type pooled struct {
	region []byte
	locked bool
}

// NewAllocator returns an allocator; nil opts means DefaultOpts.
func NewAllocator(opts *Opts) *Allocator {
	if opts == nil {
		opts = DefaultOpts()
	}
	a := &Allocator{
		opts:    *opts,
		live:    make(map[*Buffer]struct{}),
		bySlice: make(map[uintptr]*Buffer),
		pool:    make(map[int][]pooled),
	}
	if a.opts.PoolBytes == 0 {
		a.opts.PoolBytes = DefaultPoolBytes
	}
	return a
}

// Buffer is a region of locked, non-dumpable memory. The allocating code owns
// it and must call Release. A Buffer must not be copied.
type Buffer struct {
	a      *Allocator
	region []byte // whole mapping, page-rounded
	n      int
	locked bool
}

// Alloc returns a zeroed buffer of n bytes (n > 0).
func (a *Allocator) Alloc(n int) (*Buffer, error) {
	if n <= 0 {
		return nil, fmt.Errorf("secmem: alloc %d bytes: size must be positive", n)
	}
	if err := a.reserve(n); err != nil {
		return nil, err
	}
	if b := a.reuse(n); b != nil {
		return b, nil
	}
	b, lockErr, err := mapRegion(a.regionSize(n))
	if err != nil {
		a.unreserve(n)
		return nil, err
	}
	if lockErr != nil && a.opts.RequireLock {
		unmapRegion(b.region, false)
		a.unreserve(n)
		return nil, fmt.Errorf("%w: %v", ErrNotLocked, lockErr)
	}
	b.a, b.n = a, n
	a.register(b)
	if lockErr != nil && a.opts.OnLockFailure != nil {
		a.opts.OnLockFailure(lockErr)
	}
	return b, nil
}

func (a *Allocator) reserve(n int) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed {
		return ErrClosed
	}
	if a.opts.MaxBytes > 0 && a.stats.LiveBytes+n > a.opts.MaxBytes {
		return fmt.Errorf("secmem: alloc %d bytes: would exceed the %d-byte bound; release finished buffers (not retryable until then)", n, a.opts.MaxBytes)
	}
	a.stats.LiveBytes += n
	return nil
}

func (a *Allocator) unreserve(n int) {
	a.mu.Lock()
	a.stats.LiveBytes -= n
	a.mu.Unlock()
}

func (a *Allocator) register(b *Buffer) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.live[b] = struct{}{}
	a.bySlice[uintptr(unsafe.Pointer(&b.region[0]))] = b
	a.stats.Live++
	a.stats.Allocs++
	if !b.locked {
		a.stats.Unlocked++
	}
}

// regionSize is the mapping for n bytes: whole pages and, when the pool
// may keep it, rounded up to one of eight size classes per power of two, so
// regions are reused across similar sizes while rounding wastes at most an
// eighth (locked memory stays within secmem.max_bytes plus the unit's
// LimitMEMLOCK slack).
func (a *Allocator) regionSize(n int) int {
	page := os.Getpagesize()
	size := (n + page - 1) / page * page
	if a.opts.PoolBytes < 0 || size > maxPooledRegion || size <= 8*page {
		return size
	}
	octave := page
	for octave*2 <= size {
		octave *= 2
	}
	step := octave / 8
	return (size + step - 1) / step * step
}

// reuse takes an idle region of the right size from the pool, if any, and
// registers it as a live buffer of n bytes.
func (a *Allocator) reuse(n int) *Buffer {
	size := a.regionSize(n)
	a.mu.Lock()
	free := a.pool[size]
	if len(free) == 0 {
		a.mu.Unlock()
		return nil
	}
	p := free[len(free)-1]
	a.pool[size] = free[:len(free)-1]
	a.idle -= size
	a.stats.Pooled--
	a.stats.Reused++
	a.mu.Unlock()
	b := &Buffer{a: a, region: p.region, n: n, locked: p.locked}
	a.register(b)
	return b
}

// mlock is unix.Mlock; tests replace it to exercise the RLIMIT_MEMLOCK path
// even when running with CAP_IPC_LOCK.
var mlock = unix.Mlock

// mapRegion maps, advises and tries to lock a region of size bytes (whole
// pages). lockErr is the mlock failure, if any; err is fatal.
func mapRegion(size int) (b *Buffer, lockErr, err error) {
	region, err := unix.Mmap(-1, 0, size, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANONYMOUS)
	if err != nil {
		return nil, nil, fmt.Errorf("secmem: mmap %d bytes: %w", size, err)
	}
	if err := unix.Madvise(region, unix.MADV_DONTDUMP); err != nil {
		unix.Munmap(region)
		return nil, nil, fmt.Errorf("secmem: madvise DONTDUMP: %w", err)
	}
	b = &Buffer{region: region}
	if lockErr = mlock(region); lockErr == nil {
		b.locked = true
	}
	return b, lockErr, nil
}

// unmapRegion wipes, unlocks and (unless retain) unmaps a region.
func unmapRegion(region []byte, locked bool) {
	clear(region)
	if locked {
		unix.Munlock(region)
	}
	unix.Munmap(region)
}

// Bytes returns the buffer's n bytes. The slice aliases locked memory: do not
// append to it, and do not use it after Release.
func (b *Buffer) Bytes() []byte {
	if b == nil || b.region == nil {
		return nil
	}
	return b.region[:b.n:b.n]
}

// Len is the requested size.
func (b *Buffer) Len() int { return b.n }

// Locked reports whether the pages are locked in RAM (false means they could
// be swapped; see the package doc).
func (b *Buffer) Locked() bool { return b.locked }

// Release wipes the buffer and returns it to the pool, or unmaps it. It is
// idempotent and safe on nil.
func (b *Buffer) Release() {
	if b == nil || b.a == nil {
		return
	}
	b.a.release(b)
}

func (a *Allocator) release(b *Buffer) {
	a.mu.Lock()
	if _, ok := a.live[b]; !ok {
		a.mu.Unlock()
		return
	}
	delete(a.live, b)
	delete(a.bySlice, uintptr(unsafe.Pointer(&b.region[0])))
	a.stats.Live--
	a.stats.LiveBytes -= b.n
	a.stats.Released++
	region, locked, n := b.region, b.locked, b.n
	b.region = nil
	a.mu.Unlock()
	// Only region[:n] was ever handed out (Bytes caps the slice), and the
	// rest is zero since mmap, so the region is all zero after this.
	clear(region[:n])
	a.mu.Lock()
	if a.keep(region, locked) {
		a.mu.Unlock()
		return
	}
	if a.opts.RetainReleased {
		clear(region)
		a.retained = append(a.retained, region)
		a.mu.Unlock()
		return
	}
	a.mu.Unlock()
	unmapRegion(region, locked)
}

// keep puts a wiped region in the pool if it fits; a.mu is held.
func (a *Allocator) keep(region []byte, locked bool) bool {
	size := len(region)
	if a.closed || a.opts.PoolBytes < 0 || size > maxPooledRegion || a.idle+size > a.opts.PoolBytes ||
		(a.opts.MaxBytes > 0 && a.stats.LiveBytes+a.idle+size > a.opts.MaxBytes) {
		return false
	}
	a.pool[size] = append(a.pool[size], pooled{region: region, locked: locked})
	a.idle += size
	a.stats.Pooled++
	return true
}

// Stats returns a snapshot of the counters.
func (a *Allocator) Stats() Stats {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.stats
}

// Close releases (wipes) every live buffer, unmaps the pool and refuses
// further allocations. Call it on shutdown. It returns how many buffers
// were still live.
func (a *Allocator) Close() int {
	a.mu.Lock()
	a.closed = true
	bufs := make([]*Buffer, 0, len(a.live))
	for b := range a.live {
		bufs = append(bufs, b)
	}
	a.mu.Unlock()
	for _, b := range bufs {
		b.Release()
	}
	a.drainPool()
	return len(bufs)
}

// drainPool unmaps every idle region (each already zero), or retains it
// for AuditReleased in test mode.
func (a *Allocator) drainPool() {
	a.mu.Lock()
	var idle []pooled
	for size, free := range a.pool {
		idle = append(idle, free...)
		delete(a.pool, size)
	}
	a.idle, a.stats.Pooled = 0, 0
	if a.opts.RetainReleased {
		for _, p := range idle {
			a.retained = append(a.retained, p.region)
		}
		a.mu.Unlock()
		return
	}
	a.mu.Unlock()
	for _, p := range idle {
		unmapRegion(p.region, p.locked)
	}
}
