package kioskapi

import (
	"encoding/json"
	"sync"
	"testing"

	"github.com/ventanilla-mx/ventanilla/session"
)

// health is a settable session.Readiness, as the daemon's health
// registry provides it.
type health struct {
	mu sync.Mutex
	r  session.Readiness
}

func (h *health) get() session.Readiness {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.r
}

func (h *health) set(r session.Readiness) {
	h.mu.Lock()
	h.r = r
	h.mu.Unlock()
}

func newGatedAPI(t *testing.T) (*api, *health) {
	h := &health{}
	a := newAPIWith(t, func(o *session.Opts) { o.Readiness = h.get })
	return a, h
}

// TestNotReadyRefusesSessions (issue 13, finding 1): a kiosk whose health
// is not ready refuses to start a session, telling the clerk why, and
// records nothing; once ready it starts one.
func TestNotReadyRefusesSessions(t *testing.T) {
	a, h := newGatedAPI(t)
	a.login()
	h.set(session.Readiness{NotReady: []string{"disk.low"}})
	code, m, _ := a.req("POST", "/api/v1/sessions", "{}")
	e, _ := m["error"].(map[string]any)
	if code != 503 || errCode(m) != "not_ready" || len(e["reasons"].([]any)) != 1 || e["reasons"].([]any)[0] != "disk.low" {
		t.Fatalf("claim on a kiosk not ready = %d %v", code, m)
	}
	if st := a.e.Snapshot(); st.State != session.StateIdle || len(st.NotReady) != 1 {
		t.Fatalf("state after the refusal: %+v", st)
	}
	saved := a.opTok
	a.opTok = ""
	_, pub, _ := a.req("GET", "/api/v1/state", "")
	if pub["not_ready"] != true || pub["reasons"] != nil {
		t.Fatalf("public state: %v", pub)
	}
	a.opTok = saved
	h.set(session.Readiness{})
	a.must("POST", "/api/v1/sessions", "{}", 201)
}

// TestDeviceDownDisablesItsCapture (finding 1): scanner down → finger not
// offered, with its reason; camera down → face likewise.
func TestDeviceDownDisablesItsCapture(t *testing.T) {
	a, h := newGatedAPI(t)
	p := a.toStep(session.StateBiometrics)
	h.set(session.Readiness{Finger: "scanner.unavailable"})
	st := a.must("GET", "/api/v1/state", "", 200)
	if mods, _ := json.Marshal(st["modalities"]); string(mods) != `["face"]` {
		t.Fatalf("modalities with the scanner down: %s", mods)
	}
	if un, _ := st["unavailable"].(map[string]any); un["finger"] != "scanner.unavailable" {
		t.Fatalf("unavailable: %v", st["unavailable"])
	}
	code, m, _ := a.req("POST", p+"/finger", `{"position":2}`)
	if code != 422 || errCode(m) != "modality_unavailable" {
		t.Fatalf("finger with the scanner down = %d %v", code, m)
	}
	h.set(session.Readiness{Face: "camera.unavailable"})
	code, m, _ = a.req("POST", p+"/face", "{}")
	if code != 422 || errCode(m) != "modality_unavailable" {
		t.Fatalf("face with the camera down = %d %v", code, m)
	}
	a.must("POST", p+"/finger", `{"position":2}`, 202)
}

// TestCriticalMidSessionEndsSafely (finding 1): a condition turning
// critical mid-session wipes the session and answers "retry", never a
// denial.
func TestCriticalMidSessionEndsSafely(t *testing.T) {
	a, h := newGatedAPI(t)
	a.login()
	ev := a.events()
	a.toStep(session.StateBiometrics)
	h.set(session.Readiness{Critical: []string{"consent.integrity"}, NotReady: []string{"consent.integrity"}})
	a.e.HealthChanged()
	var got struct {
		Answer session.AnswerView `json:"answer"`
	}
	if err := json.Unmarshal(ev.until(t, string(session.KindAnswer)), &got); err != nil {
		t.Fatal(err)
	}
	if got.Answer.Outcome != session.OutcomeRetry || got.Answer.Reason != session.AnswerKioskFault {
		t.Fatalf("answer after a critical condition: %+v", got.Answer)
	}
	if n := a.alloc.Stats().Live; n != 0 {
		t.Fatalf("%d secrets still held", n)
	}
}
