package benchcpu

import (
	"testing"
	"time"
)

// TestStepAlternatesAndRatiosSplitRounds: Step runs A first on even steps
// and B first on odd ones; Ratios gives each round's A/B over consecutive
// steps.
func TestStepAlternatesAndRatiosSplitRounds(t *testing.T) {
	var p Pair
	var order []string
	for range 4 {
		p.Step(func() { order = append(order, "a") }, func() { order = append(order, "b") })
	}
	if got := string([]byte{order[0][0], order[1][0], order[2][0], order[3][0]}); got != "abba" {
		t.Fatalf("order of the first two steps %q, want abba", got)
	}
	var q Pair
	for _, d := range []time.Duration{1, 1, 3, 3} {
		q.Add(d*time.Millisecond, time.Millisecond)
	}
	if r := q.Ratios(2); len(r) != 2 || r[0] != 1 || r[1] != 3 {
		t.Fatalf("ratios %v, want [1 3]", r)
	}
	if r := q.Ratios(10); len(r) != 4 {
		t.Fatalf("more rounds than steps: %v, want one per step", r)
	}
}

// TestNowAdvancesWithWork: the process CPU clock moves when this
// goroutine computes.
func TestNowAdvancesWithWork(t *testing.T) {
	t0 := Now()
	x := 0
	for i := 0; Now()-t0 < 5*time.Millisecond && i < 1e9; i++ {
		x += i
	}
	if Now() <= t0 {
		t.Fatalf("CPU clock did not move (%d)", x)
	}
}
