package kioskapi

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/ventanilla-mx/ventanilla/session"
	"github.com/ventanilla-mx/ventanilla/vocab"
)

// FuzzDecodeBodies feeds arbitrary bytes to every body decoder: none may
// panic, and whatever decodes must satisfy the invariants the engine
// relies on.
func FuzzDecodeBodies(f *testing.F) {
	for _, s := range []string{sigJSON, credJSON, noticeJSON(), `{"position":3}`, `{"reason":"citizen"}`,
		`{"operator":"op-001","pin":"246810"}`, `{"model":"E","fields":{"cic":"1\u0032"}}`, `{"width":1,"height":1,"strokes":[[[0,0,0,65536]]]}`,
		`{"strokes":[[[1,2,3,4]]]}{}`, `[`, ``, `null`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var sb signatureBody
		if decodeStrict(data, &sb) == nil {
			if sig, err := sb.signature(); err == nil {
				n := 0
				for _, st := range sig.Strokes {
					n += len(st)
				}
				if n > vocab.MaxPoints || len(sig.Strokes) > vocab.MaxStrokes {
					t.Fatalf("signature over the limits: %d strokes, %d points", len(sig.Strokes), n)
				}
			}
			for _, st := range sb.Strokes {
				for _, p := range st {
					if p != (point{}) {
						t.Fatal("decoded points not wiped")
					}
				}
			}
		}
		var cb credentialBody
		if decodeStrict(data, &cb) == nil {
			for _, v := range cb.Fields {
				if strings.ContainsRune(string(v), '\\') {
					t.Fatal("escaped credential value accepted")
				}
			}
		}
		for _, v := range []any{&loginBody{}, &noticeBody{}, &fingerBody{}, &abortBody{}} {
			_ = decodeStrict(data, v)
		}
	})
}

// FuzzAPIBodies posts arbitrary bodies to the session endpoints of a live
// session: the API must answer 2xx or 4xx (never 5xx or a panic), and a
// 4xx must leave the state as it was.
func FuzzAPIBodies(f *testing.F) {
	paths := []string{"/consent", "/credential", "/notice", "/finger", "/abort", "/submit"}
	for i, s := range []string{sigJSON, credJSON, noticeJSON(), `{"position":11}`, `{"reason":"x"}`, `{}`} {
		f.Add(uint8(i), []byte(s))
	}
	a := newAPI(f)
	f.Fuzz(func(t *testing.T, which uint8, body []byte) {
		a.t = t
		if a.e.Snapshot().State == session.StateIdle {
			a.toStepFuzz(t)
		}
		p := "/api/v1/sessions/" + string(a.e.Snapshot().Session) + paths[int(which)%len(paths)]
		r := httptest.NewRequest("POST", "http://127.0.0.1"+p, strings.NewReader(string(body)))
		r.Header.Set(TokenHeader, a.srv.Token())
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("Authorization", "Bearer "+a.opTok)
		before := a.e.Snapshot()
		w := httptest.NewRecorder()
		a.srv.Handler().ServeHTTP(w, r)
		switch {
		case w.Code >= 500:
			t.Fatalf("%s %q -> %d %s", p, body, w.Code, w.Body)
		case w.Code >= 400 && w.Code != http.StatusConflict:
			if after := a.e.Snapshot(); after.State != before.State || after.Session != before.Session {
				t.Fatalf("%s %q -> %d changed state %s -> %s", p, body, w.Code, before.State, after.State)
			}
		}
	})
}

// toStepFuzz opens a fresh session at the signature step.
func (a *api) toStepFuzz(t *testing.T) {
	if a.opTok == "" {
		a.login()
	}
	a.must("POST", "/api/v1/sessions", "{}", 201)
	p := "/api/v1/sessions/" + string(a.e.Snapshot().Session)
	a.must("POST", p+"/notice", noticeJSON(), 200)
}
