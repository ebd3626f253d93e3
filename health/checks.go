package health

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Check is one self-test: something a technician can run on demand to prove
// a part works end to end (grab a frame, handshake the scanner, write to the
// state directory).
type Check struct {
	Name    string        // stable, e.g. "statedir.write"
	Timeout time.Duration // zero means DefaultCheckTimeout
	Run     func(ctx context.Context) error
}

// DefaultCheckTimeout bounds a check that does not declare its own timeout.
const DefaultCheckTimeout = 10 * time.Second

// CheckResult is the outcome of one check.
type CheckResult struct {
	Name     string        `json:"name"`
	OK       bool          `json:"ok"`
	Error    string        `json:"error,omitempty"`
	Duration time.Duration `json:"duration_ns"`
}

// RegisterCheck adds a self-test. Names must be unique.
func (r *Registry) RegisterCheck(c Check) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, old := range r.checks {
		if old.Name == c.Name {
			panic(fmt.Sprintf("health: check %q registered twice", c.Name))
		}
	}
	r.checks = append(r.checks, c)
}

// RunChecks runs every registered check in registration order, each under
// its own timeout, and returns all results. It never stops early: a
// technician wants the whole picture.
func (r *Registry) RunChecks(ctx context.Context) []CheckResult {
	r.mu.Lock()
	checks := append([]Check(nil), r.checks...)
	r.mu.Unlock()
	out := make([]CheckResult, 0, len(checks))
	for _, c := range checks {
		out = append(out, r.runCheck(ctx, c))
	}
	return out
}

func (r *Registry) runCheck(ctx context.Context, c Check) CheckResult {
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = DefaultCheckTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	start := r.now()
	err := c.Run(ctx)
	res := CheckResult{Name: c.Name, OK: err == nil, Duration: r.now().Sub(start)}
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			err = fmt.Errorf("timed out after %v: %w", timeout, err)
		}
		res.Error = err.Error()
	}
	return res
}
