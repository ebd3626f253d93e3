package secmem

import (
	"fmt"
	"slices"
	"unsafe"
)

// AllocBytes is the func(n int) ([]byte, error) adapter for packages that
// take an allocator function (capture codecs, encoders): it returns the bytes
// of a new Buffer. Release them with ReleaseBytes, passing the same slice (or
// any reslice starting at its first byte).
func (a *Allocator) AllocBytes(n int) ([]byte, error) {
	b, err := a.Alloc(n)
	if err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// ReleaseBytes wipes and frees the buffer whose first byte is p[0]. It
// returns ErrReleased if p does not start a live buffer of this allocator.
func (a *Allocator) ReleaseBytes(p []byte) error {
	if cap(p) == 0 {
		return fmt.Errorf("secmem: release empty slice: %w", ErrReleased)
	}
	key := uintptr(unsafe.Pointer(&p[:1][0]))
	a.mu.Lock()
	b := a.bySlice[key]
	a.mu.Unlock()
	if b == nil {
		return fmt.Errorf("secmem: release slice: %w", ErrReleased)
	}
	b.Release()
	return nil
}

// Owns reports whether p starts a live buffer of this allocator (so a
// consumer can check that sensitive bytes were placed in locked memory).
func (a *Allocator) Owns(p []byte) bool {
	if cap(p) == 0 {
		return false
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	_, ok := a.bySlice[uintptr(unsafe.Pointer(&p[:1][0]))]
	return ok
}

// Wipe zeroes p. Use it on heap copies of sensitive bytes that could not be
// avoided (e.g. a decoder's output) as soon as they are no longer needed.
func Wipe(p []byte) { clear(p) }

// AuditReleased is the test hook behind Opts.RetainReleased: it returns an
// error naming how many released regions (retained, or idle in the pool)
// hold a non-zero byte. Pooled regions are checked in any mode; retained
// ones exist only with RetainReleased.
func (a *Allocator) AuditReleased() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	regions := slices.Clone(a.retained)
	for _, free := range a.pool {
		for _, p := range free {
			regions = append(regions, p.region)
		}
	}
	dirty := 0
	for _, r := range regions {
		if slices.ContainsFunc(r, func(c byte) bool { return c != 0 }) {
			dirty++
		}
	}
	if dirty > 0 {
		return fmt.Errorf("secmem: %d of %d released buffers are not zero", dirty, len(regions))
	}
	return nil
}

// RetainedCount is how many released regions AuditReleased examines.
func (a *Allocator) RetainedCount() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.retained)
}
