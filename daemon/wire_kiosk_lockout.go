package daemon

import (
	"net/http"
	"time"

	"github.com/ventanilla-mx/ventanilla/daemon/diagapi"
	"github.com/ventanilla-mx/ventanilla/session/operator"
)

// lockoutRoutes lets a technician see the operator-login lockouts with
// their remaining time (GET /v1/kiosk/lockouts) and lift them (POST
// /v1/kiosk/lockouts/lift, admin): `ventanillactl kiosk lockouts|unlock`.
func lockoutRoutes(s *System, auth *operator.Auth) {
	s.diag.handle("GET /v1/kiosk/lockouts", readAccess, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, lockoutReport(auth, s.now()))
	}))
	s.diag.handle("POST /v1/kiosk/lockouts/lift", writeAccess, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, err := auth.Lift()
		p, _ := peerFrom(r.Context())
		// Who lifted (the technician's uid) and how many: no client list,
		// no operator id, no PIN.
		s.Log.Warn("kiosk: operator login lockouts lifted by a technician", "uid", p.uid, "lifted", n)
		if err != nil {
			s.Log.Error("kiosk: lockout store not written after the lift", "err", err)
			writeError(w, http.StatusInternalServerError, "lockouts lifted in memory, but the store could not be written: "+err.Error())
			return
		}
		writeJSON(w, http.StatusOK, diagapi.LockoutLift{Lifted: n})
	}))
}

func lockoutReport(auth *operator.Auth, now time.Time) diagapi.Lockouts {
	rep := diagapi.Lockouts{Clients: []diagapi.LockoutClient{}}
	for _, l := range auth.Lockouts() {
		c := diagapi.LockoutClient{Client: l.Client, Failures: l.Failures}
		if !l.Until.IsZero() {
			c.LockedUntil = l.Until.UTC()
			c.RemainingS = int(l.Until.Sub(now).Seconds() + 0.999)
		}
		rep.Clients = append(rep.Clients, c)
	}
	return rep
}
