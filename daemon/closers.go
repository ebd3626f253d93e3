package daemon

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// closers close the daemon's parts at shutdown, one at a time, in the
// reverse order of their wiring: a part closes only after every part
// wired after it, which is every part built on it (wireAll builds in
// dependency order). So the session engine ends its session (binding
// the consent and wiping the credential) while the consent ledger and
// the locked memory are still open.
type closers struct {
	mu   sync.Mutex
	list []closer
}

type closer struct {
	name string
	fn   func() error
}

// OnClose registers fn to close a part once the daemon stops, after every
// part registered later has closed. Call it while wiring.
func (s *System) OnClose(name string, fn func() error) {
	s.closers.mu.Lock()
	defer s.closers.mu.Unlock()
	s.closers.list = append(s.closers.list, closer{name, fn})
}

// closeParts waits for the daemon to stop, then runs the closers, last
// registered first. It runs as one of the daemon's goroutines, so the
// shutdown timeout bounds it too.
func (s *System) closeParts(ctx context.Context) error {
	<-ctx.Done()
	s.closers.mu.Lock()
	list := s.closers.list
	s.closers.list = nil
	s.closers.mu.Unlock()
	var errs []error
	for i := len(list) - 1; i >= 0; i-- {
		if err := list[i].fn(); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", list[i].name, err))
		}
	}
	return errors.Join(errs...)
}
