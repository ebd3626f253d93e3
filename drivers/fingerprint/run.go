package fingerprint

import (
	"context"
	"time"
)

// Run keeps the scanner connected until ctx ends or the scanner is closed:
// it connects, reconnects with exponential backoff (Opts.MinBackoff doubling
// up to Opts.MaxBackoff) after an unplug or a silent module, and when idle
// handshakes every Opts.HealthInterval so an unplug is noticed without a
// capture. States are reported through Opts.OnState. After a replug the
// scanner is ready again within MaxBackoff plus one connect (a few
// exchanges). The caller starts Run in a goroutine it owns and waits for
// it; Run returns nil when ctx is cancelled.
func (s *R30x) Run(ctx context.Context) error {
	backoff := s.opts.MinBackoff
	for {
		st, _ := s.State()
		switch st {
		case StateClosed:
			return nil
		case StateReady:
			backoff = s.opts.MinBackoff
			if !s.idle(ctx) {
				return nil
			}
		default:
			if err := s.Connect(ctx); err == nil {
				continue
			}
			select {
			case <-ctx.Done():
				return nil
			case <-s.opts.Clock.After(backoff):
			}
			backoff = min(2*backoff, s.opts.MaxBackoff)
		}
	}
}

// idle waits while ready: for a state change, the health interval (then a
// handshake, unless a capture holds the line) or ctx. It reports false when
// ctx ended.
func (s *R30x) idle(ctx context.Context) bool {
	var tick <-chan time.Time
	if s.opts.HealthInterval > 0 {
		tick = s.opts.Clock.After(s.opts.HealthInterval)
	}
	select {
	case <-ctx.Done():
		return false
	case <-s.wake:
	case <-tick:
		if s.mu.TryLock() {
			_ = s.handshakeLocked(ctx)
			s.mu.Unlock()
		}
	}
	return true
}
