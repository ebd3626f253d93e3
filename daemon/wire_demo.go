//go:build demo

package daemon

import (
	"time"

	"github.com/ventanilla-mx/ventanilla/session"
	"github.com/ventanilla-mx/ventanilla/session/sessiontest"
)

// DemoBuild says whether this build carries the simulated session parts
// (the demo build tag); production packages are built without them.
const DemoBuild = true

// demoPorts returns simulated capture, consent and INE for a
// demonstration (kiosk_api.simulate = true). Only a build with the demo
// tag has them; production packages are built without it.
func demoPorts(s *System, h *kioskHealth) (session.Ports, error) {
	h.simulated.Set("kiosk_api.simulate = true")
	s.Log.Warn("kiosk: SIMULATED capture, consent and INE; no verification is real")
	alloc := &sessiontest.Allocator{Forget: true}
	pace := 700 * time.Millisecond
	return session.Ports{
		Consent: &sessiontest.Consent{}, Credentials: sessiontest.Credentials{},
		Face:     &sessiontest.Face{Alloc: alloc, Pace: pace},
		Finger:   &sessiontest.Finger{Alloc: alloc, Pace: pace},
		Preview:  sessiontest.Preview{Interval: 150 * time.Millisecond},
		Verifier: &sessiontest.Verifier{Rule: sessiontest.DemoRule, Delay: 1500 * time.Millisecond},
		Alloc:    alloc,
	}, nil
}
