package fingerprint

import "time"

// Clock is the time source for waits the driver chooses itself: the pause
// between GenImg polls, the capture timeout, reconnect backoff and the idle
// health check. Exchange deadlines on the line are real time, because the
// kernel enforces them. Tests inject a fake to prove timing without sleeping.
type Clock interface {
	Now() time.Time
	After(d time.Duration) <-chan time.Time
}

type realClock struct{}

func (realClock) Now() time.Time                         { return time.Now() }
func (realClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// RealClock is the wall clock.
var RealClock Clock = realClock{}
