package daemon

import (
	"context"
	"time"

	"github.com/ventanilla-mx/ventanilla/health"
	"github.com/ventanilla-mx/ventanilla/session"
)

// Health conditions that disable one capture (the other stays offered).
var (
	faceDown   = []health.Code{condCameraUnavailable, condCaptureUnavailable}
	fingerDown = []health.Code{condScannerUnavailable, condScannerUnresponsive}
)

// kioskReadiness turns the health registry into what the session engine
// allows: not ready refuses sessions, critical ends a running one, a
// device condition disables its capture. A simulated kiosk's captures do
// not use the devices, so their conditions do not disable them.
func kioskReadiness(reg *health.Registry, simulated bool) func() session.Readiness {
	return func() session.Readiness {
		var r session.Readiness
		_, blocking := reg.Ready()
		for _, c := range blocking {
			r.NotReady = append(r.NotReady, string(c.Code))
		}
		for _, c := range reg.Critical() {
			r.Critical = append(r.Critical, string(c.Code))
		}
		if simulated {
			return r
		}
		for _, c := range reg.Visible() {
			switch {
			case r.Face == "" && contains(faceDown, c.Code):
				r.Face = string(c.Code)
			case r.Finger == "" && contains(fingerDown, c.Code):
				r.Finger = string(c.Code)
			}
		}
		return r
	}
}

func contains(list []health.Code, c health.Code) bool {
	for _, x := range list {
		if x == c {
			return true
		}
	}
	return false
}

// readinessTick is how often the engine is told even without a change (a
// condition's time-to-visible expiry is not signalled).
const readinessTick = 2 * time.Second

// watchReadiness tells the engine about every health change, so a
// critical condition ends a running session and the screen learns which
// captures are offered. It beats l after each call, which takes the
// engine's lock: a wedged engine stops the beats.
func watchReadiness(reg *health.Registry, engine *session.Engine, l interface{ Beat() }) func(context.Context) error {
	ch := reg.Subscribe()
	return func(ctx context.Context) error {
		tick := time.NewTicker(readinessTick)
		defer tick.Stop()
		for {
			engine.HealthChanged()
			l.Beat()
			select {
			case <-ctx.Done():
				return nil
			case <-ch:
			case <-tick.C:
			}
		}
	}
}
