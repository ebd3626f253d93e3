package daemon

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"sync"
	"time"
)

// group owns goroutines: it starts each with a name, waits for all of them,
// and reports which ones outlive a deadline. The first error (other than
// context.Canceled) cancels the group's context, so one failing loop stops
// the daemon instead of leaving it half alive.
type group struct {
	ctx    context.Context
	cancel context.CancelCauseFunc
	log    *slog.Logger

	wg      sync.WaitGroup
	mu      sync.Mutex
	running map[string]int
	err     error
}

func newGroup(parent context.Context, log *slog.Logger) *group {
	ctx, cancel := context.WithCancelCause(parent)
	return &group{ctx: ctx, cancel: cancel, log: log, running: make(map[string]int)}
}

// Go runs fn in a goroutine owned by the group.
func (g *group) Go(name string, fn func(ctx context.Context) error) {
	g.mu.Lock()
	g.running[name]++
	g.mu.Unlock()
	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		err := fn(g.ctx)
		g.finish(name, err)
	}()
}

func (g *group) finish(name string, err error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.running[name]--; g.running[name] == 0 {
		delete(g.running, name)
	}
	if err == nil || errors.Is(err, context.Canceled) {
		return
	}
	err = fmt.Errorf("%s: %w", name, err)
	if g.err == nil {
		g.err = err
		g.log.Error("loop failed; stopping the daemon", "loop", name, "err", err)
		g.cancel(err)
	}
}

// Wait waits for every goroutine, at most until timeout after the group's
// context is done. It returns the first loop error, or an error naming the
// goroutines still running when the timeout expired.
func (g *group) Wait(timeout time.Duration) error {
	done := make(chan struct{})
	go func() { g.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-g.ctx.Done():
		t := time.NewTimer(timeout)
		defer t.Stop()
		select {
		case <-done:
		case <-t.C:
			return fmt.Errorf("shutdown: still running after %v: %v", timeout, g.stillRunning())
		}
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.err
}

func (g *group) stillRunning() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return slices.Sorted(maps.Keys(g.running))
}
