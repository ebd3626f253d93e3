package kioskapi

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/ventanilla-mx/ventanilla/session"
)

func TestFullSessionOverHTTP(t *testing.T) {
	a := newAPI(t)
	a.login()
	ev := a.events()
	if snap := ev.until(t, "snapshot"); !strings.Contains(string(snap), `"state":"idle"`) {
		t.Fatalf("first event %s", snap)
	}
	p := a.toStep(session.StateBiometrics)
	a.must("POST", p+"/face", "", 202)
	prompt := ev.until(t, "capture.prompt")
	if !strings.Contains(string(prompt), `"code":"face.`) {
		t.Fatalf("prompt %s", prompt)
	}
	ev.until(t, "capture.done")
	a.must("POST", p+"/finger", `{"position":2}`, 202)
	if d := ev.until(t, "capture.prompt"); !strings.Contains(string(d), "finger.place") {
		t.Fatalf("finger prompt %s", d)
	}
	ev.until(t, "capture.done")
	a.must("POST", p+"/submit", "", 202)
	ev.until(t, "session.wiped")
	var ans session.Event
	if err := json.Unmarshal(ev.until(t, "answer.ready"), &ans); err != nil {
		t.Fatal(err)
	}
	if ans.Answer == nil || ans.Answer.Outcome != session.OutcomeApproved {
		t.Fatalf("answer %+v", ans.Answer)
	}
	if err := a.alloc.CheckWiped(); err != nil {
		t.Fatal(err)
	}
	a.must("POST", p+"/finish", "", 200)
	ev.until(t, "session.ended")
}

// TestRefusalsChangeNothing: each bad request gets the right 4xx with a
// clear error code, and the session's state is exactly what it was.
func TestRefusalsChangeNothing(t *testing.T) {
	a := newAPI(t)
	p := a.toStep(session.StateSignature)
	big := `{"width":400,"height":200,"strokes":[[` + strings.Repeat(`[1,1,1,1],`, 300000) + `[1,1,1,1]]]}`
	tests := []struct {
		name, method, path, body string
		hdr                      []string
		code                     int
		err                      string
	}{
		{"wrong host", "POST", p + "/consent", sigJSON, []string{"Host", "evil.example:8780"}, 421, "bad_host"},
		{"rebinding host", "GET", "/api/v1/state", "", []string{"Host", "127.0.0.1.nip.io"}, 421, "bad_host"},
		{"foreign origin", "POST", p + "/consent", sigJSON, []string{"Origin", "http://evil.example"}, 403, "bad_origin"},
		{"null origin", "POST", p + "/consent", sigJSON, []string{"Origin", "null"}, 403, "bad_origin"},
		{"cross-site fetch", "POST", p + "/consent", sigJSON, []string{"Sec-Fetch-Site", "cross-site"}, 403, "bad_origin"},
		{"missing token", "POST", p + "/consent", sigJSON, []string{TokenHeader, "-"}, 403, "bad_token"},
		{"wrong token", "POST", p + "/consent", sigJSON, []string{TokenHeader, "x"}, 403, "bad_token"},
		{"token in query on POST", "POST", p + "/consent?t=" + a.srv.Token(), sigJSON, []string{TokenHeader, "-"}, 403, "bad_token"},
		{"no operator", "POST", p + "/consent", sigJSON, []string{"Authorization", "-"}, 401, "operator_required"},
		{"capture before consent", "POST", p + "/face", "", nil, 409, "consent_required"},
		{"finger before consent", "POST", p + "/finger", `{"position":1}`, nil, 409, "consent_required"},
		{"second session", "POST", "/api/v1/sessions", "{}", nil, 409, "session_active"},
		{"oversized signature", "POST", p + "/consent", big, nil, 413, "too_large"},
		{"oversized small body", "POST", p + "/finger", `{"position":1` + strings.Repeat(" ", 9000) + `}`, nil, 413, "too_large"},
		{"malformed JSON", "POST", p + "/consent", `{"width":400,`, nil, 400, "bad_json"},
		{"unknown field", "POST", p + "/consent", `{"width":1,"height":1,"strokes":[],"x":1}`, nil, 400, "bad_json"},
		{"trailing data", "POST", p + "/consent", sigJSON + `{}`, nil, 400, "bad_json"},
		{"wrong type", "POST", p + "/consent", `{"width":"wide"}`, nil, 400, "bad_json"},
		{"float point", "POST", p + "/consent", `{"width":400,"height":200,"strokes":[[[1.5,1,1,1]]]}`, nil, 400, "bad_json"},
		{"wrong content type", "POST", p + "/consent", sigJSON, []string{"Content-Type", "text/plain"}, 415, "bad_content_type"},
		{"point off canvas", "POST", p + "/consent", `{"width":10,"height":10,"strokes":[[[11,1,0,1],[1,1,1,1]]]}`, nil, 422, "invalid_signature"},
		{"stale session", "POST", "/api/v1/sessions/s_nope/consent", sigJSON, nil, 409, "stale_session"},
		{"unknown endpoint", "GET", "/api/v1/nope", "", nil, 404, "not_found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := a.e.Snapshot()
			code, m, h := a.req(tt.method, tt.path, tt.body, tt.hdr...)
			if code != tt.code || errCode(m) != tt.err {
				t.Fatalf("got %d %v, want %d %s", code, m, tt.code, tt.err)
			}
			if msg, _ := m["error"].(map[string]any)["message"].(string); len(msg) < 10 {
				t.Errorf("error message %q is not a clear sentence", msg)
			}
			if after := a.e.Snapshot(); after.State != before.State || after.Seq != before.Seq || after.Session != before.Session {
				t.Fatalf("state changed: %+v -> %+v", before, after)
			}
			for k := range h {
				if strings.HasPrefix(k, "Access-Control-") {
					t.Errorf("CORS header %s sent", k)
				}
			}
			if !strings.Contains(h.Get("Content-Security-Policy"), "script-src 'self'") {
				t.Errorf("no CSP on %s", tt.name)
			}
		})
	}
	if err := a.alloc.CheckWiped(); err != nil {
		t.Fatal(err)
	}
}

func TestCredentialRejectionsOverHTTP(t *testing.T) {
	a := newAPI(t)
	p := a.toStep(session.StateCredential)
	tests := []struct{ body, err, field string }{
		{`{"model":"E","fields":{"cic":"12345678X","identificadorCiudadano":"987654321"}}`, "invalid_credential", "cic"},
		{`{"model":"E","fields":{"cic":"123456789"}}`, "invalid_credential", "(set)"},
		{`{"model":"Q","fields":{}}`, "invalid_credential", ""},
		{`{"model":"E","fields":{"cic":"1234\u00356789","identificadorCiudadano":"987654321"}}`, "bad_json", ""},
		{`{"model":"E","fields":{"cic":123456789,"identificadorCiudadano":"987654321"}}`, "bad_json", ""},
	}
	for _, tt := range tests {
		code, m, _ := a.req("POST", p+"/credential", tt.body)
		if errCode(m) != tt.err || code/100 != 4 {
			t.Errorf("%s: %d %v", tt.body, code, m)
			continue
		}
		if strings.Contains(m["error"].(map[string]any)["message"].(string), "12345678") {
			t.Errorf("error echoes a credential value: %v", m)
		}
		if tt.field != "" {
			f := m["error"].(map[string]any)["fields"].([]any)[0].(map[string]any)
			if f["field"] != tt.field {
				t.Errorf("%s: field %v", tt.body, f)
			}
		}
	}
	if st := a.e.Snapshot().State; st != session.StateCredential {
		t.Fatalf("state %s", st)
	}
	if err := a.alloc.CheckWiped(); err != nil {
		t.Fatal(err)
	}
}

func TestLoginLockoutOverHTTP(t *testing.T) {
	a := newAPI(t)
	for i := range 5 {
		code, m, _ := a.req("POST", "/api/v1/operator/login", `{"operator":"op-001","pin":"000000"}`)
		if code != 401 || errCode(m) != "bad_login" {
			t.Fatalf("attempt %d: %d %v", i, code, m)
		}
	}
	code, m, h := a.req("POST", "/api/v1/operator/login", `{"operator":"op-001","pin":"`+testPIN+`"}`)
	if code != 429 || errCode(m) != "locked" || h.Get("Retry-After") == "" {
		t.Fatalf("after 5 failures: %d %v", code, m)
	}
	code, _, _ = a.req("POST", "/api/v1/sessions", "{}")
	if code != 401 {
		t.Fatalf("claim without login = %d", code)
	}
}

func TestIndexCarriesTokenAndCSP(t *testing.T) {
	a := newAPI(t)
	code, _, h := a.req("GET", "/", "", TokenHeader, "-")
	if code != 200 || !strings.Contains(h.Get("Content-Security-Policy"), "default-src 'none'") {
		t.Fatalf("index = %d, CSP %q", code, h.Get("Content-Security-Policy"))
	}
	code, _, _ = a.req("GET", "/", "", "Host", "evil.example")
	if code != 421 {
		t.Fatalf("index with a foreign host = %d", code)
	}
}

func TestPreviewStreamsDuringFaceCapture(t *testing.T) {
	a := newAPI(t)
	p := a.toStep(session.StateBiometrics)
	_, _, h0 := a.req("POST", p+"/preview", "")
	code, m, _ := a.req("GET", p+"/preview?t="+a.srv.Token(), "", TokenHeader, "-", PreviewHeader, cookieFrom(t, h0).Value)
	if code != 409 || errCode(m) != "wrong_step" {
		t.Fatalf("preview outside capture = %d %v", code, m)
	}
	a.face.Hold = true
	a.must("POST", p+"/face", "", 202)
	_, _, h := a.req("POST", p+"/preview", "")
	rq, _ := http.NewRequest("GET", a.hs.URL+p+"/preview?t="+a.srv.Token(), nil)
	rq.Header.Set(PreviewHeader, cookieFrom(t, h).Value)
	r, err := a.client.Do(rq)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Body.Close()
	if ct := r.Header.Get("Content-Type"); r.StatusCode != 200 || !strings.HasPrefix(ct, "multipart/x-mixed-replace") {
		t.Fatalf("preview = %d %q", r.StatusCode, ct)
	}
	buf := make([]byte, 64)
	n, _ := r.Body.Read(buf)
	if !strings.HasPrefix(string(buf[:n]), "--frame\r\nContent-Type: image/jpeg") {
		t.Fatalf("preview starts %q", buf[:n])
	}
	a.must("POST", p+"/abort", `{"reason":"citizen"}`, 200)
}
