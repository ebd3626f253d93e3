// Package sessiontest provides fakes of the session engine's ports: an
// allocator that records every wipe, a consent ledger, credential rules,
// face and finger capturers that emit scripted prompts and synthetic
// samples, a camera preview, and a scripted verifier. Tests use them to
// prove the engine's rules (no capture before consent, everything wiped);
// the kiosk's simulated mode (configs/dev.toml) uses them to let a person
// walk through a session without devices or INE.
//
// Nothing here produces or holds a real biometric: images are synthetic
// gradients. This package must never write a file.
package sessiontest

import (
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/ventanilla-mx/ventanilla/session"
)

// Allocator is a session.Allocator that records every buffer it hands out
// and keeps released buffers' memory so a test can prove it was zeroed.
type Allocator struct {
	mu   sync.Mutex
	bufs []*Buffer
	// Fail, when set, makes Alloc fail (secure memory exhausted).
	Fail bool
	// Forget drops released buffers from the record (long simulated runs);
	// CheckWiped then sees only live ones.
	Forget bool
}

var _ session.Allocator = (*Allocator)(nil)

// Buffer is a recorded Secret.
type Buffer struct {
	a        *Allocator
	b        []byte
	released bool
	// ReadAfterRelease counts uses of Bytes after Release (a bug).
	readAfterRelease int
}

// Alloc returns a zeroed buffer of n bytes.
func (a *Allocator) Alloc(n int) (session.Secret, error) {
	return a.New(n)
}

// New is Alloc with the concrete type.
func (a *Allocator) New(n int) (*Buffer, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.Fail {
		return nil, errors.New("sessiontest: allocator told to fail")
	}
	if n <= 0 {
		return nil, fmt.Errorf("sessiontest: alloc %d bytes", n)
	}
	b := &Buffer{a: a, b: make([]byte, n)}
	a.bufs = append(a.bufs, b)
	return b, nil
}

// Bytes returns the buffer's bytes.
func (b *Buffer) Bytes() []byte {
	b.a.mu.Lock()
	defer b.a.mu.Unlock()
	if b.released {
		b.readAfterRelease++
	}
	return b.b
}

// Release zeroes the buffer and marks it released (idempotent).
func (b *Buffer) Release() {
	b.a.mu.Lock()
	defer b.a.mu.Unlock()
	clear(b.b)
	b.released = true
	if b.a.Forget {
		b.a.bufs = slices.DeleteFunc(b.a.bufs, func(x *Buffer) bool { return x == b })
	}
}

// Released reports whether Release was called.
func (b *Buffer) Released() bool {
	b.a.mu.Lock()
	defer b.a.mu.Unlock()
	return b.released
}

// Stats counts buffers.
type Stats struct {
	Allocated, Released, Live int
}

// Stats returns the counters.
func (a *Allocator) Stats() Stats {
	a.mu.Lock()
	defer a.mu.Unlock()
	st := Stats{Allocated: len(a.bufs)}
	for _, b := range a.bufs {
		if b.released {
			st.Released++
		} else {
			st.Live++
		}
	}
	return st
}

// CheckWiped returns an error unless every buffer ever allocated was
// released, holds only zero bytes, and was not read after release.
func (a *Allocator) CheckWiped() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	var errs []error
	for i, b := range a.bufs {
		switch {
		case !b.released:
			errs = append(errs, fmt.Errorf("buffer %d (%d bytes) never released", i, len(b.b)))
		case !allZero(b.b):
			errs = append(errs, fmt.Errorf("buffer %d released but not zeroed", i))
		case b.readAfterRelease > 0:
			errs = append(errs, fmt.Errorf("buffer %d read %d times after release", i, b.readAfterRelease))
		}
	}
	return errors.Join(errs...)
}

func allZero(p []byte) bool {
	for _, c := range p {
		if c != 0 {
			return false
		}
	}
	return true
}

// filled allocates a buffer holding p.
func (a *Allocator) filled(p []byte) (*Buffer, error) {
	b, err := a.New(len(p))
	if err != nil {
		return nil, err
	}
	copy(b.b, p)
	return b, nil
}
