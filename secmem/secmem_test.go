package secmem

import (
	"bytes"
	"crypto/rand"
	"errors"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
)

func TestAllocIsZeroAndWritable(t *testing.T) {
	a := NewAllocator(nil)
	b, err := a.Alloc(5000)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Release()
	p := b.Bytes()
	if len(p) != 5000 || cap(p) != 5000 {
		t.Fatalf("len %d cap %d, want 5000", len(p), cap(p))
	}
	if !bytes.Equal(p, make([]byte, 5000)) {
		t.Fatal("fresh buffer is not zero")
	}
	copy(p, "canary")
	if a.Stats().Live != 1 || a.Stats().LiveBytes != 5000 {
		t.Fatalf("stats %+v", a.Stats())
	}
}

func TestReleasedBufferIsZero(t *testing.T) {
	a := NewAllocator(&Opts{RetainReleased: true, PoolBytes: -1})
	b, err := a.Alloc(10000)
	if err != nil {
		t.Fatal(err)
	}
	p := b.Bytes()
	rand.Read(p)
	b.Release()
	b.Release() // idempotent
	if a.RetainedCount() != 1 {
		t.Fatalf("retained %d, want 1", a.RetainedCount())
	}
	if err := a.AuditReleased(); err != nil {
		t.Fatal(err)
	}
	// The caller's stale slice aliases the wiped memory.
	if !bytes.Equal(p, make([]byte, len(p))) {
		t.Fatal("released bytes are not zero")
	}
	if b.Bytes() != nil {
		t.Fatal("Bytes after Release is not nil")
	}
	if s := a.Stats(); s.Live != 0 || s.LiveBytes != 0 || s.Released != 1 {
		t.Fatalf("stats %+v", s)
	}
}

func TestAuditCatchesDirtyRegion(t *testing.T) {
	a := NewAllocator(&Opts{RetainReleased: true, PoolBytes: -1})
	b, _ := a.Alloc(10)
	b.Release()
	a.retained[0][3] = 1 // simulate a wipe that did not happen
	if err := a.AuditReleased(); err == nil {
		t.Fatal("audit missed a non-zero released region")
	}
}

func TestAdapterReleaseBySlice(t *testing.T) {
	a := NewAllocator(&Opts{RetainReleased: true})
	var alloc func(int) ([]byte, error) = a.AllocBytes
	p, err := alloc(100)
	if err != nil {
		t.Fatal(err)
	}
	copy(p, "secret")
	if !a.Owns(p) || a.Owns(make([]byte, 4)) {
		t.Fatal("Owns is wrong")
	}
	if err := a.ReleaseBytes(p[:10]); err != nil {
		t.Fatal(err)
	}
	if err := a.ReleaseBytes(p); !errors.Is(err, ErrReleased) {
		t.Fatalf("second release: %v, want ErrReleased", err)
	}
	if err := a.ReleaseBytes(make([]byte, 3)); !errors.Is(err, ErrReleased) {
		t.Fatalf("foreign slice: %v, want ErrReleased", err)
	}
	if err := a.AuditReleased(); err != nil {
		t.Fatal(err)
	}
}

func TestCloseWipesLive(t *testing.T) {
	a := NewAllocator(&Opts{RetainReleased: true})
	for range 3 {
		b, _ := a.Alloc(64)
		copy(b.Bytes(), "x")
	}
	if n := a.Close(); n != 3 {
		t.Fatalf("Close released %d, want 3", n)
	}
	if err := a.AuditReleased(); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Alloc(1); !errors.Is(err, ErrClosed) {
		t.Fatalf("alloc after close: %v", err)
	}
}

func TestMaxBytes(t *testing.T) {
	a := NewAllocator(&Opts{MaxBytes: 100})
	b, err := a.Alloc(80)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Alloc(30); err == nil {
		t.Fatal("allocation over MaxBytes succeeded")
	}
	b.Release()
	if _, err := a.Alloc(30); err != nil {
		t.Fatalf("after release: %v", err)
	}
	if _, err := a.Alloc(0); err == nil {
		t.Fatal("zero-size alloc succeeded")
	}
}

func withFailingMlock(t *testing.T) {
	old := mlock
	mlock = func([]byte) error { return syscall.ENOMEM }
	t.Cleanup(func() { mlock = old })
}

func TestLockFailureIsReported(t *testing.T) {
	withFailingMlock(t)
	var got []error
	a := NewAllocator(&Opts{OnLockFailure: func(err error) { got = append(got, err) }})
	b, err := a.Alloc(10)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Release()
	if b.Locked() {
		t.Fatal("buffer claims to be locked")
	}
	if len(got) != 1 || a.Stats().Unlocked != 1 {
		t.Fatalf("callback calls %d, Unlocked %d; want 1, 1", len(got), a.Stats().Unlocked)
	}
}

func TestLockFailureRequired(t *testing.T) {
	withFailingMlock(t)
	a := NewAllocator(&Opts{RequireLock: true})
	_, err := a.Alloc(10)
	if !errors.Is(err, ErrNotLocked) || !strings.Contains(err.Error(), "LimitMEMLOCK") {
		t.Fatalf("err = %v, want ErrNotLocked with advice", err)
	}
	if s := a.Stats(); s.Live != 0 || s.LiveBytes != 0 {
		t.Fatalf("failed alloc left stats %+v", s)
	}
}

func TestLockedWhenPermitted(t *testing.T) {
	lim, err := MemlockLimit()
	if err != nil {
		t.Fatal(err)
	}
	a := NewAllocator(nil)
	b, err := a.Alloc(4096)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Release()
	if !b.Locked() && os.Geteuid() == 0 {
		t.Fatalf("root could not mlock one page (limit %d)", lim)
	}
	t.Logf("RLIMIT_MEMLOCK=%d locked=%v", lim, b.Locked())
}

func TestConcurrentUse(t *testing.T) {
	a := NewAllocator(&Opts{RetainReleased: true})
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 20 {
				p, err := a.AllocBytes(300)
				if err != nil {
					t.Error(err)
					return
				}
				rand.Read(p)
				if err := a.ReleaseBytes(p); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	if s := a.Stats(); s.Live != 0 || s.Released != 160 {
		t.Fatalf("stats %+v", s)
	}
	if err := a.AuditReleased(); err != nil {
		t.Fatal(err)
	}
}

func TestDisableCoreDumps(t *testing.T) {
	if err := DisableCoreDumps(); err != nil {
		t.Fatal(err)
	}
	d, err := Dumpable()
	if err != nil || d {
		t.Fatalf("dumpable=%v err=%v after DisableCoreDumps", d, err)
	}
}

func TestSelfTest(t *testing.T) {
	if err := NewAllocator(nil).SelfTest(); err != nil && os.Geteuid() == 0 {
		t.Fatalf("root: %v", err)
	}
	withFailingMlock(t)
	if err := NewAllocator(nil).SelfTest(); !errors.Is(err, ErrNotLocked) {
		t.Fatalf("with mlock failing: %v", err)
	}
}

func TestSecretsAdapter(t *testing.T) {
	a := NewAllocator(nil)
	s, err := Secrets(a).Alloc(16)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := s.(*Buffer); !ok || len(s.Bytes()) != 16 || a.Stats().Live != 1 {
		t.Fatalf("Secret %T of %d bytes, %d live", s, len(s.Bytes()), a.Stats().Live)
	}
	s.Release()
	if a.Stats().Live != 0 {
		t.Error("released Secret still live")
	}
}

// TestPoolReusesWipedRegion: a released buffer is wiped and kept mapped; the
// next allocation of a similar size gets the same zeroed region without a
// new mapping; Close unmaps the pool.
func TestPoolReusesWipedRegion(t *testing.T) {
	a := NewAllocator(&Opts{})
	b, err := a.Alloc(135000)
	if err != nil {
		t.Fatal(err)
	}
	p := b.Bytes()
	rand.Read(p)
	first := &p[0]
	b.Release()
	if s := a.Stats(); s.Pooled != 1 || s.Live != 0 {
		t.Fatalf("stats after release %+v", s)
	}
	if err := a.AuditReleased(); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(p, make([]byte, len(p))) {
		t.Fatal("pooled bytes are not zero")
	}
	b2, err := a.Alloc(140000) // the same 144 KiB class
	if err != nil {
		t.Fatal(err)
	}
	q := b2.Bytes()
	if &q[0] != first || len(q) != 140000 || cap(q) != 140000 || !bytes.Equal(q, make([]byte, len(q))) {
		t.Fatal("the pool did not hand back the same zeroed region, capped at the new size")
	}
	if s := a.Stats(); s.Reused != 1 || s.Pooled != 0 || s.Allocs != 2 || s.LiveBytes != 140000 {
		t.Fatalf("stats after reuse %+v", s)
	}
	rand.Read(q)
	b2.Release()
	if err := a.AuditReleased(); err != nil || a.Stats().Pooled != 1 {
		t.Fatalf("second release: %v, %+v", err, a.Stats())
	}
	a.Close()
	if s := a.Stats(); s.Pooled != 0 || s.Live != 0 {
		t.Fatalf("stats after close %+v", s)
	}
	if _, err := a.Alloc(10); !errors.Is(err, ErrClosed) {
		t.Fatalf("alloc after close: %v", err)
	}
}

func TestPoolBoundAndAudit(t *testing.T) {
	page := os.Getpagesize()
	a := NewAllocator(&Opts{PoolBytes: page, RetainReleased: true})
	b1, _ := a.Alloc(10)
	b2, _ := a.Alloc(10)
	b1.Release()
	b2.Release()
	if s := a.Stats(); s.Pooled != 1 || a.RetainedCount() != 1 {
		t.Fatalf("pool over its bound: %+v, retained %d", s, a.RetainedCount())
	}
	big, _ := a.Alloc(maxPooledRegion + 1)
	big.Release()
	if s := a.Stats(); s.Pooled != 1 {
		t.Fatalf("a region over %d bytes was pooled", maxPooledRegion)
	}
	for n, want := range map[int]int{1: page, 8 * page: 8 * page, 33 * page: 36 * page, 135000: 147456} {
		if page != 4096 && n > 8*page {
			continue
		}
		if got := a.regionSize(n); got != want || got < n || (n > 8*page && got > n+n/8+page) {
			t.Errorf("regionSize(%d) = %d, want %d (within an eighth)", n, got, want)
		}
	}
	for _, free := range a.pool {
		free[0].region[5] = 1 // a wipe that did not happen
	}
	if err := a.AuditReleased(); err == nil {
		t.Fatal("audit missed a dirty pooled region")
	}
}

// BenchmarkAllocRelease is one verification payload's buffer (135 KB)
// allocated, written and released, with the pool against the same-run
// baseline of mmap+mlock+munmap each time.
func BenchmarkAllocRelease(b *testing.B) {
	for _, bc := range []struct {
		name string
		pool int
	}{{"pool", 0}, {"no-pool", -1}} {
		b.Run(bc.name, func(b *testing.B) {
			a := NewAllocator(&Opts{PoolBytes: bc.pool})
			defer a.Close()
			b.SetBytes(135 << 10)
			for b.Loop() {
				buf, err := a.Alloc(135 << 10)
				if err != nil {
					b.Fatal(err)
				}
				buf.Bytes()[0] = 1
				buf.Release()
			}
		})
	}
}

// TestPoolWithinMaxBytes: idle regions count against MaxBytes with the live
// ones, so pooling never lets locked memory outgrow the bound.
func TestPoolWithinMaxBytes(t *testing.T) {
	page := os.Getpagesize()
	a := NewAllocator(&Opts{MaxBytes: page})
	defer a.Close()
	b2, _ := a.Alloc(10)
	b3, _ := a.Alloc(10)
	b3.Release() // 10 live + one idle page would exceed the bound
	if s := a.Stats(); s.Pooled != 0 {
		t.Fatalf("pooled beyond MaxBytes: %+v", s)
	}
	b2.Release()
	if s := a.Stats(); s.Pooled != 1 {
		t.Fatalf("not pooled within MaxBytes: %+v", s)
	}
}
