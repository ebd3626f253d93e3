package kioskapi

import (
	"bufio"
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/ventanilla-mx/ventanilla/session"
	"github.com/ventanilla-mx/ventanilla/session/operator"
	"github.com/ventanilla-mx/ventanilla/session/sessiontest"
)

const testPIN = "246810"

var testNotice = session.Notice{ID: "aviso-integral", Version: "2026-01", Lang: "es-MX",
	Title: "Aviso", Text: "Texto del aviso."}

var testUI = fstest.MapFS{
	"index.html":    {Data: []byte(`<meta name="ventanilla-token" content="` + TokenPlaceholder + `">`)},
	"static/app.js": {Data: []byte(`"use strict";`)},
}

// api is a kiosk API on a real loopback listener, over fakes.
type api struct {
	t      testing.TB
	srv    *Server
	e      *session.Engine
	alloc  *sessiontest.Allocator
	ver    *sessiontest.Verifier
	face   *sessiontest.Face
	hs     *httptest.Server
	opTok  string
	client *http.Client
}

// testMaxConns is the connection cap of test servers.
const testMaxConns = 16

func newAPI(t testing.TB) *api { return newAPIWith(t, nil) }

func newAPIWith(t testing.TB, mod func(*session.Opts)) *api {
	return newAPIWithConsent(t, &sessiontest.Consent{}, mod)
}

func newAPIWithConsent(t testing.TB, rec *sessiontest.Consent, mods ...func(*session.Opts)) *api {
	t.Helper()
	a := &api{t: t, alloc: &sessiontest.Allocator{}, ver: &sessiontest.Verifier{}, client: &http.Client{}}
	a.face = &sessiontest.Face{Alloc: a.alloc}
	o := session.DefaultOpts()
	o.Notices = []session.Notice{testNotice}
	o.Log = slog.New(slog.DiscardHandler)
	for _, mod := range mods {
		if mod != nil {
			mod(o)
		}
	}
	e, err := session.New(session.Ports{Consent: rec, Credentials: sessiontest.Credentials{},
		Face: a.face, Finger: &sessiontest.Finger{Alloc: a.alloc}, Preview: sessiontest.Preview{Interval: time.Millisecond},
		Verifier: a.ver, Alloc: a.alloc}, o)
	if err != nil {
		t.Fatal(err)
	}
	hash, err := operator.HashPIN(testPIN, operator.Params{Memory: 64, Time: 1, Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	ao := operator.DefaultOpts()
	ao.MinInterval = 0
	auth, err := operator.New(map[string]string{"op-001": hash}, ao)
	if err != nil {
		t.Fatal(err)
	}
	a.e = e
	a.srv, err = New(e, auth, &Opts{UI: testUI, Preview: true, Log: slog.New(slog.DiscardHandler),
		MaxConns: testMaxConns, BodyTimeout: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	a.hs = serve(a.srv)
	t.Cleanup(func() { a.srv.Close(); a.hs.Close(); e.Close() })
	return a
}

// serve starts srv the way the daemon does (its http.Server settings and
// the connection cap) on a loopback listener.
func serve(srv *Server) *httptest.Server {
	hs := httptest.NewUnstartedServer(nil)
	cfg := srv.HTTPServer()
	hs.Config = cfg
	hs.Listener = srv.Limit(hs.Listener)
	hs.Start()
	return hs
}

// req is one request; hdr entries override the defaults (token, JSON,
// operator); a "-" value deletes the header.
func (a *api) req(method, path, body string, hdr ...string) (int, map[string]any, http.Header) {
	a.t.Helper()
	r, _ := http.NewRequest(method, a.hs.URL+path, strings.NewReader(body))
	r.Header.Set(TokenHeader, a.srv.Token())
	if body != "" {
		r.Header.Set("Content-Type", "application/json")
	}
	if a.opTok != "" {
		r.Header.Set("Authorization", "Bearer "+a.opTok)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		if hdr[i] == "Host" {
			r.Host = hdr[i+1]
		} else if hdr[i+1] == "-" {
			r.Header.Del(hdr[i])
		} else {
			r.Header.Set(hdr[i], hdr[i+1])
		}
	}
	resp, err := a.client.Do(r)
	if err != nil {
		a.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	var m map[string]any
	_ = json.Unmarshal(data, &m)
	return resp.StatusCode, m, resp.Header
}

func errCode(m map[string]any) string {
	e, _ := m["error"].(map[string]any)
	c, _ := e["code"].(string)
	return c
}

func (a *api) login() {
	a.t.Helper()
	code, m, _ := a.req("POST", "/api/v1/operator/login", `{"operator":"op-001","pin":"`+testPIN+`"}`)
	if code != 200 {
		a.t.Fatalf("login = %d %v", code, m)
	}
	a.opTok = m["token"].(string)
}

func (a *api) must(method, path, body string, want int) map[string]any {
	a.t.Helper()
	code, m, _ := a.req(method, path, body)
	if code != want {
		a.t.Fatalf("%s %s = %d %v, want %d", method, path, code, m, want)
	}
	return m
}

func noticeJSON() string {
	r := testNotice.Ref()
	return `{"id":"aviso-integral","version":"2026-01","lang":"es-MX","sha256":"` + hex.EncodeToString(r.SHA256[:]) + `"}`
}

const sigJSON = `{"width":400,"height":200,"strokes":[[[10,10,0,32768],[60,50,16,32768],[90,70,40,30000]]]}`
const credJSON = `{"model":"E","fields":{"cic":"123456789","identificadorCiudadano":"987654321"}}`

// toStep drives a session to st through the API; it returns the path
// prefix of the session.
func (a *api) toStep(st session.State) string {
	a.t.Helper()
	if a.opTok == "" {
		a.login()
	}
	m := a.must("POST", "/api/v1/sessions", "{}", 201)
	p := "/api/v1/sessions/" + m["session"].(string)
	steps := []struct {
		at         session.State
		path, body string
	}{
		{session.StateNotice, "/notice", noticeJSON()},
		{session.StateSignature, "/consent", sigJSON},
		{session.StateCredential, "/credential", credJSON},
	}
	for _, s := range steps {
		if a.e.Snapshot().State == st {
			return p
		}
		a.must("POST", p+s.path, s.body, 200)
	}
	return p
}

// stream reads SSE events until one of kind want (or the deadline).
type stream struct {
	rd   *bufio.Reader
	body io.Closer
}

func (a *api) events() *stream { return a.eventsAs(a.opTok) }

// eventsAs opens the event stream with the operator token tok ("" for
// none: an anonymous viewer).
func (a *api) eventsAs(tok string) *stream {
	a.t.Helper()
	// The deadline only turns a missing event into a failure instead of a
	// hang; no test waits for it.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	a.t.Cleanup(cancel)
	r, _ := http.NewRequestWithContext(ctx, "GET", a.hs.URL+"/api/v1/events?t="+a.srv.Token(), nil)
	if tok != "" {
		r.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := a.client.Do(r)
	if err != nil || resp.StatusCode != 200 {
		a.t.Fatalf("events: %v %v", err, resp)
	}
	a.t.Cleanup(func() { resp.Body.Close() })
	return &stream{rd: bufio.NewReader(resp.Body), body: resp.Body}
}

// next returns the next event's name and data.
func (s *stream) next() (string, []byte, error) {
	var name string
	var data []byte
	for {
		line, err := s.rd.ReadBytes('\n')
		if err != nil {
			return "", nil, err
		}
		line = bytes.TrimRight(line, "\n")
		switch {
		case len(line) == 0 && name != "":
			return name, data, nil
		case bytes.HasPrefix(line, []byte("event: ")):
			name = string(line[7:])
		case bytes.HasPrefix(line, []byte("data: ")):
			data = append([]byte(nil), line[6:]...)
		}
	}
}

// until reads events until kind, returning its data.
func (s *stream) until(t testing.TB, kind string) []byte {
	t.Helper()
	for {
		name, data, err := s.next()
		if err != nil {
			t.Fatalf("stream ended before %s: %v", kind, err)
		}
		if name == kind {
			return data
		}
	}
}
