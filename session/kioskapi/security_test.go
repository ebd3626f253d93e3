package kioskapi

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ventanilla-mx/ventanilla/session"
	"github.com/ventanilla-mx/ventanilla/vocab"
)

// Issue 17, finding 1: the citizen's live face was readable by any local
// user with the per-boot token from GET / and the session id from the
// state. The preview now needs the clerk's login and a per-session secret
// that only the logged-in page gets.
func TestPreviewNeedsClerkAndSecret(t *testing.T) {
	a := newAPI(t)
	p := a.toStep(session.StateBiometrics)
	a.face.Hold = true
	a.must("POST", p+"/face", "", 202)
	get := func(hdr ...string) int {
		code, _, _ := a.req("GET", p+"/preview?t="+a.srv.Token(), "", append([]string{TokenHeader, "-"}, hdr...)...)
		return code
	}
	if code := get("Authorization", "-"); code != http.StatusUnauthorized {
		t.Fatalf("preview with only the page token = %d, want 401", code)
	}
	if code := get(); code != http.StatusForbidden {
		t.Fatalf("preview with the clerk's login but no secret = %d, want 403", code)
	}
	code, _, h := a.req("POST", p+"/preview", "")
	if code != http.StatusOK {
		t.Fatalf("preview secret = %d", code)
	}
	c := cookieFrom(t, h)
	if !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Path != p+"/preview" || c.MaxAge <= 0 {
		t.Fatalf("preview cookie %+v", c)
	}
	if code := get("Authorization", "-", "Cookie", "ventanilla_preview=wrong"); code != http.StatusForbidden {
		t.Fatalf("preview with a wrong secret = %d", code)
	}
	r, _ := http.NewRequest("GET", a.hs.URL+p+"/preview?t="+a.srv.Token(), nil)
	r.AddCookie(c)
	resp, err := a.client.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 32)
	n, _ := io.ReadFull(resp.Body, buf)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(string(buf[:n]), "--frame") {
		t.Fatalf("preview with the secret = %d %q", resp.StatusCode, buf[:n])
	}
	if code := get("Authorization", "-", "Cookie", c.Name+"="+c.Value); code != http.StatusForbidden {
		t.Fatalf("a used preview secret worked again: %d", code)
	}
	_, _, h = a.req("POST", p+"/preview", "")
	c = cookieFrom(t, h)
	a.must("POST", "/api/v1/operator/logout", "{}", 200)
	if code := get("Authorization", "-", "Cookie", c.Name+"="+c.Value); code != http.StatusUnauthorized {
		t.Fatalf("a preview secret outlived the clerk's logout: %d", code)
	}
}

func cookieFrom(t *testing.T, h http.Header) *http.Cookie {
	t.Helper()
	for _, c := range (&http.Response{Header: h}).Cookies() {
		if c.Name == "ventanilla_preview" && len(c.Value) >= 40 {
			return c
		}
	}
	t.Fatalf("no preview cookie in %v", h)
	return nil
}

// answerSession drives a session to the answer screen and returns the
// unauthenticated stream opened before it started.
func answerSession(t *testing.T, a *api) (*stream, string) {
	t.Helper()
	anon := a.eventsAs("")
	p := a.toStep(session.StateBiometrics)
	a.ver.Answers = []session.Answer{{Status: vocab.StatusLostOrStolen, FaceSimilarity: 91, FingerSimilarity: -1}}
	a.must("POST", p+"/face", "", 202)
	waitState(t, a, session.StateBiometrics)
	a.must("POST", p+"/submit", "", 202)
	waitState(t, a, session.StateAnswer)
	return anon, p
}

func waitState(t *testing.T, a *api, st session.State) {
	t.Helper()
	ch, cancel := a.e.Subscribe()
	defer cancel()
	deadline := time.After(30 * time.Second) // a guard against a hang, not a wait
	for a.e.Snapshot().State != st {
		select {
		case <-ch:
		case <-deadline:
			t.Fatalf("state %s never reached (at %s)", st, a.e.Snapshot().State)
		}
	}
}

// leaks reports what of the answer or session a body shows.
func leaks(body string) []string {
	var out []string
	for _, s := range []string{`"answer":{`, "reported", "similarity", `"session"`, `"consent"`, "91"} {
		if strings.Contains(body, s) {
			out = append(out, s)
		}
	}
	return out
}

// Issue 17, finding 2: INE's answer was readable with no login through
// the state and the event stream.
func TestAnswerOnlyToTheClerk(t *testing.T) {
	a := newAPI(t)
	anon, _ := answerSession(t, a)
	code, m, _ := a.req("GET", "/api/v1/state", "", "Authorization", "-")
	raw, _ := json.Marshal(m)
	if code != 200 || m["state"] != "answer" || len(m) != 2 || m["notices"] == nil || len(leaks(string(raw))) > 0 {
		t.Fatalf("state without login = %d %s (leaks %v)", code, raw, leaks(string(raw)))
	}
	for {
		name, data, err := anon.next()
		if err != nil {
			t.Fatalf("anonymous stream: %v", err)
		}
		if name != "snapshot" {
			t.Fatalf("the anonymous stream sent a %s event: %s", name, data)
		}
		if l := leaks(string(data)); len(l) > 0 {
			t.Fatalf("the anonymous stream carries %v: %s", l, data)
		}
		if strings.Contains(string(data), `"state":"answer"`) {
			break
		}
	}
	_, m, _ = a.req("GET", "/api/v1/state", "")
	if ans, _ := m["answer"].(map[string]any); ans["status"] != string(vocab.StatusLostOrStolen) {
		t.Fatalf("the clerk does not see the answer: %v", m)
	}
	clerk := a.eventsAs(a.opTok)
	if snap := clerk.until(t, "snapshot"); !strings.Contains(string(snap), "reported") {
		t.Fatalf("the clerk's stream has no answer: %s", snap)
	}
}

// Issue 17, finding 2: an unauthenticated event stream kept a session
// from being aborted for client loss.
func TestAnonymousStreamDoesNotHoldTheSession(t *testing.T) {
	a := newAPIWith(t, func(o *session.Opts) { o.Timeouts.ClientLoss = 50 * time.Millisecond })
	anon := a.eventsAs("")
	anon.until(t, "snapshot")
	ch, cancel := a.e.Subscribe()
	defer cancel()
	a.login()
	a.must("POST", "/api/v1/sessions", "{}", 201)
	deadline := time.After(30 * time.Second) // a guard against a hang, not a wait
	for {
		select {
		case ev := <-ch:
			if ev.Kind == session.KindEnded {
				if ev.Reason != session.EndClientLost {
					t.Fatalf("ended by %s", ev.Reason)
				}
				return
			}
		case <-deadline:
			t.Fatal("session not aborted for client loss with only an anonymous stream open")
		}
	}
}

// Issue 17, finding 6: /static/ listed its directory.
func TestStaticDoesNotList(t *testing.T) {
	a := newAPI(t)
	for _, p := range []string{"/static/", "/static", "/static/../static/"} {
		code, _, _ := a.req("GET", p, "", TokenHeader, "-")
		if code == 200 {
			t.Errorf("GET %s = 200 (a listing)", p)
		}
	}
	if code, _, _ := a.req("GET", "/static/app.js", "", TokenHeader, "-"); code != 200 {
		t.Fatalf("app.js = %d", code)
	}
}

// Issue 17, finding 6: duplicate JSON keys and extra array elements were
// accepted.
func TestStrictJSONRefusesDuplicatesAndExtras(t *testing.T) {
	a := newAPI(t)
	bad := []string{
		`{"operator":"op-001","pin":"000000","pin":"` + testPIN + `"}`,
		`{"operator":"op-001","Operator":"op-002","pin":"` + testPIN + `"}`,
		`{"operator":"op-001","pin":"` + testPIN + `"} `[:0] + `{"operator":"op-001","pin":"` + testPIN + `"}[]`,
	}
	for _, b := range bad {
		code, m, _ := a.req("POST", "/api/v1/operator/login", b)
		if code != 400 || errCode(m) != "bad_json" {
			t.Errorf("login %s = %d %v", b, code, m)
		}
	}
	p := a.toStep(session.StateSignature)
	for _, b := range []string{
		`{"width":400,"height":200,"strokes":[[[10,10,0,1,99],[20,20,5,1]]]}`,
		`{"width":400,"height":200,"strokes":[[[10,10,0],[20,20,5,1]]]}`,
		`{"width":400,"width":10,"height":200,"strokes":[[[10,10,0,1],[20,20,5,1]]]}`,
	} {
		code, m, _ := a.req("POST", p+"/consent", b)
		if code != 400 || errCode(m) != "bad_json" {
			t.Errorf("consent %s = %d %v", b, code, m)
		}
	}
	a.must("POST", p+"/consent", sigJSON, 200)
	for _, b := range []string{
		`{"model":"E","fields":{"cic":"123456789","cic":"111111111","identificadorCiudadano":"987654321"}}`,
		`{"model":"E","model":"F","fields":{"cic":"123456789","identificadorCiudadano":"987654321"}}`,
	} {
		code, m, _ := a.req("POST", p+"/credential", b)
		if code != 400 || errCode(m) != "bad_json" {
			t.Errorf("credential %s = %d %v", b, code, m)
		}
	}
}

// Issue 17, finding 6: the lockout answer tells the UI how long to wait.
func TestLockoutTellsTheRemainingTime(t *testing.T) {
	a := newAPI(t)
	for range 5 {
		a.req("POST", "/api/v1/operator/login", `{"operator":"op-001","pin":"000000"}`)
	}
	code, m, h := a.req("POST", "/api/v1/operator/login", `{"operator":"op-001","pin":"`+testPIN+`"}`)
	e, _ := m["error"].(map[string]any)
	left, _ := e["retry_after_s"].(float64)
	if code != 429 || left < 290 || left > 300 || h.Get("Retry-After") == "" {
		t.Fatalf("locked login = %d %v", code, m)
	}
}

// Issue 17, finding 6: a body of one byte per interval stayed open.
func TestSlowBodyIsCut(t *testing.T) {
	a := newAPI(t)
	c, err := net.Dial("tcp", a.hs.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	hdr := "POST /api/v1/operator/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n" +
		TokenHeader + ": " + a.srv.Token() + "\r\nContent-Length: 200\r\n\r\n{"
	if _, err := io.WriteString(c, hdr); err != nil {
		t.Fatal(err)
	}
	// Trickle one byte per 50 ms for up to 10 s; the server (body timeout
	// 300 ms in tests) must hang up long before the body is complete.
	for i := range 200 {
		time.Sleep(50 * time.Millisecond) // the attack's pace, not a wait for the server
		if _, err := c.Write([]byte(" ")); err != nil {
			return
		}
		if i > 100 {
			_ = c.SetReadDeadline(time.Now().Add(time.Millisecond))
			if _, err := c.Read(make([]byte, 1)); err == io.EOF {
				return
			}
		}
	}
	t.Fatal("a 1-byte-per-50-ms body was still being read after 10 s")
}

// Issue 17, finding 6: thousands of idle connections were held.
func TestConnectionCap(t *testing.T) {
	a := newAPI(t)
	var conns []net.Conn
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	refused := 0
	for range testMaxConns + 20 {
		c, err := net.Dial("tcp", a.hs.Listener.Addr().String())
		if err != nil {
			refused++
			continue
		}
		conns = append(conns, c)
	}
	for _, c := range conns {
		_ = c.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
		if n, err := c.Read(make([]byte, 1)); err == io.EOF || n > 0 { // a 503 or a hang-up; a held one times out
			refused++
		}
	}
	if refused < 20 {
		t.Fatalf("%d of %d connections over the cap of %d were refused", refused, testMaxConns+20, testMaxConns)
	}
}

// TestClientIsThePeersUID: on loopback every process is 127.0.0.1, so
// the login lockout counts per uid owning the peer's socket.
func TestClientIsThePeersUID(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	s, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got, want := peerName(s), "uid:"+strconv.Itoa(os.Getuid()); got != want {
		t.Fatalf("peer = %q, want %q", got, want)
	}
}

// TestAllowedUIDs: with a list, only those users' connections are served.
func TestAllowedUIDs(t *testing.T) {
	for _, tt := range []struct {
		uids []int
		want int
	}{{[]int{os.Getuid() + 4242}, 403}, {[]int{os.Getuid() + 4242, os.Getuid()}, 200}, {nil, 200}} {
		a := newAPI(t)
		a.srv.o.AllowedUIDs = tt.uids
		if code, _, _ := a.req("GET", "/", "", TokenHeader, "-"); code != tt.want {
			t.Errorf("allowed %v: GET / = %d, want %d", tt.uids, code, tt.want)
		}
	}
}
