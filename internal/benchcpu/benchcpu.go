// Package benchcpu measures benchmarks by process CPU time (user + system,
// getrusage) and compares two arms run in alternation in the same process:
// on a shared machine wall time measures the other jobs, CPU time does not.
//
// It is for benchmarks only: it must never be used to assert a time in a
// test, and it records durations, never data.
package benchcpu

import (
	"slices"
	"syscall"
	"testing"
	"time"
)

// Now is the process's CPU time so far (every thread, user + system).
func Now() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// Pair holds the CPU time of each call of two arms, A and B, measured in
// alternation (A, B, then B, A, ...) so that neither arm always runs first.
type Pair struct {
	a, b         []time.Duration
	wallA, wallB time.Duration // wall time of Step's calls
}

// Step runs one call of each arm, in an order that alternates between
// steps, timing each with Now.
func (p *Pair) Step(a, b func()) {
	a, b = p.wall(a, &p.wallA), p.wall(b, &p.wallB)
	if len(p.a)%2 == 0 {
		ta := Time(a)
		p.Add(ta, Time(b))
		return
	}
	tb := Time(b)
	p.Add(Time(a), tb)
}

func (p *Pair) wall(f func(), sum *time.Duration) func() {
	return func() {
		t0 := time.Now()
		f()
		*sum += time.Since(t0)
	}
}

// Add records one step measured by the caller (for arms with untimed work
// in between).
func (p *Pair) Add(a, b time.Duration) {
	p.a = append(p.a, a)
	p.b = append(p.b, b)
}

// Time is the CPU time f takes (the whole process's, so work f leaves to
// other goroutines counts only while they run inside the call).
func Time(f func()) time.Duration {
	t0 := Now()
	f()
	return Now() - t0
}

// Ratios splits the steps into rounds consecutive runs and returns each
// round's CPU time of A over B.
func (p *Pair) Ratios(rounds int) []float64 {
	n := len(p.a)
	if rounds > n {
		rounds = n
	}
	var out []float64
	for r := 0; r < rounds; r++ {
		lo, hi := r*n/rounds, (r+1)*n/rounds
		sa, sb := sum(p.a[lo:hi]), sum(p.b[lo:hi])
		if sb > 0 {
			out = append(out, float64(sa)/float64(sb))
		}
	}
	return out
}

func sum(ds []time.Duration) (s time.Duration) {
	for _, d := range ds {
		s += d
	}
	return s
}

// Report adds the arms' mean CPU ms per call and the whole run's ratio A/B
// to b's metrics, and logs the per-round ratios (rounds of consecutive
// steps), so a reader sees their spread, not one number.
func (p *Pair) Report(b *testing.B, nameA, nameB string, rounds int) {
	p.ReportAs(b, nameA, nameB, "cpu", rounds)
}

// ReportAs is Report for durations of another kind (what: "wall" for
// durations the caller measured with time.Now, where the cost is waiting
// for the disk rather than CPU).
func (p *Pair) ReportAs(b *testing.B, nameA, nameB, what string, rounds int) {
	n := len(p.a)
	if n == 0 {
		return
	}
	ta, tb := sum(p.a), sum(p.b)
	b.ReportMetric(float64(ta.Microseconds())/1000/float64(n), nameA+"-"+what+"-ms/op")
	b.ReportMetric(float64(tb.Microseconds())/1000/float64(n), nameB+"-"+what+"-ms/op")
	if tb > 0 {
		b.ReportMetric(float64(ta)/float64(tb), nameA+"/"+nameB+"-"+what)
	}
	if p.wallA > 0 && p.wallB > 0 {
		b.ReportMetric(float64(p.wallA.Microseconds())/1000/float64(n), nameA+"-wall-ms/op")
		b.ReportMetric(float64(p.wallB.Microseconds())/1000/float64(n), nameB+"-wall-ms/op")
	}
	rs := p.Ratios(rounds)
	sorted := slices.Clone(rs)
	slices.Sort(sorted)
	if len(sorted) > 0 {
		b.Logf("%s/%s %s per round (%d steps): %.3f (min %.3f, max %.3f)", nameA, nameB, what, n, rs, sorted[0], sorted[len(sorted)-1])
	}
}
