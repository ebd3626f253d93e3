package session

import (
	"slices"
	"sync"
)

// vault holds every Secret of one session, so that a single wipe releases
// them all. A worker that lends secrets to a port borrows the vault; a
// wipe requested while something is borrowed happens when the last borrow
// ends, so no buffer is zeroed under a reader's feet.
type vault struct {
	mu       sync.Mutex
	items    []Secret
	borrowed int
	wiping   bool // wipe requested: new secrets are released on arrival
	done     bool // everything released
	onWiped  func()
}

func newVault(onWiped func()) *vault { return &vault{onWiped: onWiped} }

// put adds s. After a wipe was requested, s is released at once and put
// returns false.
func (v *vault) put(s Secret) bool {
	if s == nil {
		return true
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.wiping {
		s.Release()
		return false
	}
	v.items = append(v.items, s)
	return true
}

// drop releases one secret now (a recapture replaces an older sample).
func (v *vault) drop(s Secret) {
	if s == nil {
		return
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if i := slices.Index(v.items, s); i >= 0 {
		v.items = slices.Delete(v.items, i, i+1)
	}
	s.Release()
}

// borrow marks the secrets as lent; call the returned func when the
// borrower has returned.
func (v *vault) borrow() (giveBack func()) {
	v.mu.Lock()
	v.borrowed++
	v.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			v.mu.Lock()
			v.borrowed--
			fire := v.releaseLocked()
			v.mu.Unlock()
			if fire != nil {
				fire()
			}
		})
	}
}

// wipe releases everything now, or when the last borrower returns.
func (v *vault) wipe() {
	v.mu.Lock()
	v.wiping = true
	fire := v.releaseLocked()
	v.mu.Unlock()
	if fire != nil {
		fire()
	}
}

// releaseLocked releases the items if a wipe is due; it returns the
// callback to run after unlocking.
func (v *vault) releaseLocked() func() {
	if !v.wiping || v.borrowed > 0 || v.done {
		return nil
	}
	for _, s := range v.items {
		s.Release()
	}
	clear(v.items)
	v.items, v.done = nil, true
	return v.onWiped
}

// live reports how many secrets are held (for tests and checks).
func (v *vault) live() int {
	v.mu.Lock()
	defer v.mu.Unlock()
	return len(v.items)
}
