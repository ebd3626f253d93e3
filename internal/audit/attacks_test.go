package audit

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
)

const sigJSON = `{"width":400,"height":200,"strokes":[[[10,10,0,32768],[60,50,16,32768],[90,70,40,30000]]]}`

// session drives a session as the clerk up to the biometrics step and
// returns its API path.
func (l *live) session(t *testing.T, clerk string) string {
	auth := []string{"Authorization", "Bearer " + clerk}
	code, body, _ := l.do("POST", "/api/v1/sessions", "{}", auth...)
	m := regexp.MustCompile(`"session":"([^"]+)"`).FindStringSubmatch(body)
	if code != 201 || m == nil {
		t.Fatalf("claim: %d %s", code, body)
	}
	p := "/api/v1/sessions/" + m[1]
	_, notice, _ := l.do("GET", "/api/v1/notice?lang=es-MX", "")
	f := func(k string) string {
		return regexp.MustCompile(`"` + k + `":"([^"]*)"`).FindStringSubmatch(notice)[1]
	}
	steps := [][2]string{
		{"/notice", fmt.Sprintf(`{"id":%q,"version":%q,"lang":%q,"sha256":%q}`, f("id"), f("version"), f("lang"), f("sha256"))},
		{"/consent", sigJSON},
		{"/credential", `{"model":"E","fields":{"cic":"123456789","identificadorCiudadano":"987654321"}}`},
	}
	for _, s := range steps {
		if code, body, _ := l.do("POST", p+s[0], s[1], auth...); code != 200 {
			t.Fatalf("%s: %d %s", s[0], code, body)
		}
	}
	return p
}

// waitState polls the clerk's view until the state is st.
func (l *live) waitState(t *testing.T, clerk, st string) {
	for range 300 {
		_, body, _ := l.do("GET", "/api/v1/state", "", "Authorization", "Bearer "+clerk)
		if strings.Contains(body, `"state":"`+st+`"`) {
			return
		}
		time.Sleep(50 * time.Millisecond) // polling a live daemon's screen state
	}
	t.Fatalf("state %s never reached", st)
}

// previewAttacks (finding 1): a local user with the page token tries to
// watch the citizen's face while the clerk runs a face capture.
func previewAttacks(t *testing.T, l *live, ta *tally, clerk string) {
	const class = "1 face preview without the clerk"
	p := l.session(t, clerk)
	_, state, _ := l.do("GET", "/api/v1/state", "")
	ta.add(t, class, "session id from the public state", !strings.Contains(state, strings.TrimPrefix(p, "/api/v1/sessions/")))
	if code, _, _ := l.do("POST", p+"/face", "{}", "Authorization", "Bearer "+clerk); code != 202 {
		t.Fatalf("face: %d", code)
	}
	l.waitState(t, clerk, "face")
	isStream := func(code int, first string) bool { return code == 200 && strings.HasPrefix(first, "--frame") }
	q := p + "/preview?t=" + l.token
	c, b := l.firstBytes(q)
	ta.add(t, class, "GET preview with the page token", !isStream(c, b))
	c, b = l.firstBytes(q, "Cookie", "ventanilla_preview=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
	ta.add(t, class, "GET preview with a forged secret cookie", !isStream(c, b))
	c, b = l.firstBytes(q, "X-Ventanilla-Preview", "guess")
	ta.add(t, class, "GET preview with a guessed secret header", !isStream(c, b))
	code, _, h := l.do("POST", p+"/preview", "")
	ta.add(t, class, "POST for a preview secret without login", code != 200 && h.Get("Set-Cookie") == "")
	code, _, _ = l.do("POST", p+"/preview", "", "Authorization", "Bearer "+strings.Repeat("A", 43))
	ta.add(t, class, "POST for a preview secret with a forged bearer", code != 200)
	// The clerk's own secret, stolen after use, must not work again.
	_, _, h = l.do("POST", p+"/preview", "", "Authorization", "Bearer "+clerk)
	secret := cookieValue(h.Get("Set-Cookie"))
	c, b = l.firstBytes(q, "X-Ventanilla-Preview", secret)
	ta.add(t, class, "(control) the clerk's secret once", isStream(c, b))
	c, b = l.firstBytes(q, "X-Ventanilla-Preview", secret)
	ta.add(t, class, "replay of a used preview secret", !isStream(c, b))
	_, page, _ := l.do("GET", "/", "")
	ta.add(t, class, "preview secret in the page", secret == "" || !strings.Contains(page, secret))
}

func cookieValue(setCookie string) string {
	v, _, _ := strings.Cut(strings.TrimPrefix(setCookie, "ventanilla_preview="), ";")
	return v
}

// answerAttacks (finding 2): INE's answer through the state and the
// stream without a login; an anonymous stream holding a session.
func answerAttacks(t *testing.T, l *live, ta *tally, clerk string, closeScreen func()) {
	const class = "2 answer without the clerk"
	auth := []string{"Authorization", "Bearer " + clerk}
	l.waitState(t, clerk, "biometrics")
	p := strings.TrimSuffix(sessionPath(l, clerk), "/")
	req, _ := http.NewRequest("GET", l.base+"/api/v1/events?t="+l.token, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan string, 1)
	go func() { got <- readFor(resp, 6*time.Second) }()
	l.do("POST", p+"/finger", `{"position":2}`, auth...)
	l.waitState(t, clerk, "biometrics")
	l.do("POST", p+"/submit", "{}", auth...)
	l.waitState(t, clerk, "answer")
	_, state, _ := l.do("GET", "/api/v1/state", "")
	ta.add(t, class, "GET /api/v1/state during the answer", !leaksAnswer(state))
	stream := <-got
	ta.add(t, class, "anonymous event stream through the answer", strings.Contains(stream, "answer") && !leaksAnswer(stream))
	_, clerkState, _ := l.do("GET", "/api/v1/state", "", auth...)
	ta.add(t, class, "(control) the clerk sees the answer", leaksAnswer(clerkState))
	l.do("POST", p+"/finish", "{}", auth...)
	closeScreen()
	// An anonymous stream must not keep a session alive once the clerk's
	// screen is gone (client_loss = 1 s here).
	req, _ = http.NewRequest("GET", l.base+"/api/v1/events?t="+l.token, nil)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	l.do("POST", "/api/v1/sessions", "{}", auth...)
	time.Sleep(3 * time.Second) // twice the client-loss timeout
	_, st, _ := l.do("GET", "/api/v1/state", "", auth...)
	ta.add(t, class, "anonymous stream holds a session past client loss", strings.Contains(st, `"state":"idle"`))
}

func sessionPath(l *live, clerk string) string {
	_, body, _ := l.do("GET", "/api/v1/state", "", "Authorization", "Bearer "+clerk)
	m := regexp.MustCompile(`"session":"([^"]+)"`).FindStringSubmatch(body)
	if m == nil {
		return "/api/v1/sessions/none"
	}
	return "/api/v1/sessions/" + m[1]
}

func leaksAnswer(s string) bool {
	return strings.Contains(s, `"answer":{`) || strings.Contains(s, "similarity") || strings.Contains(s, `"status"`)
}

// metricsAttacks (finding 3): a DNS-rebinding page reading the TCP
// exporter, and per-citizen outcomes in labels.
func metricsAttacks(t *testing.T, l *live, ta *tally) {
	const class = "3 metrics"
	get := func(host string) (int, string) {
		req, _ := http.NewRequest("GET", "http://"+l.metrics+"/metrics", nil)
		req.Host = host
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, ""
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	for _, h := range []string{"evil.example", "127.0.0.1.nip.io:9464", "attacker.test:80", "localhost.evil.example"} {
		code, _ := get(h)
		ta.add(t, class, "rebinding Host "+h, code != 200)
	}
	_, text := get(l.metrics)
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(line, "#") || !strings.Contains(line, "{") {
			continue
		}
		ta.add(t, class, "labels of "+line, !regexp.MustCompile(`(?i)reported-lost|stolen|not-found|not-current|mismatch|suspended|spoof|uncertain|"valid|status=`).MatchString(line))
	}
}

// apiAttacks (finding 6): slow bodies, connection floods, loose JSON,
// directory listing, bodies on streams.
func apiAttacks(t *testing.T, l *live, ta *tally) {
	const class = "6 kiosk API hardening"
	ta.add(t, class, "slow-loris body of 1 byte per second", slowBodyCut(l))
	held := heldConns(l, 2000)
	t.Logf("idle connections held: %d of 2000 (cap 64)", held)
	ta.add(t, class, "2000 idle connections held", held <= 64)
	for _, b := range []string{`{"operator":"x","pin":"1","pin":"2"}`, `{"operator":"x","Operator":"y","pin":"1"}`, `{"operator":"x","pin":"1"}{}`} {
		code, _, _ := l.do("POST", "/api/v1/operator/login", b)
		ta.add(t, class, "loose JSON "+b, code == 400)
	}
	code, body, _ := l.do("GET", "/static/", "")
	ta.add(t, class, "GET /static/ lists the directory", code != 200 && !strings.Contains(body, "app.js"))
	code, _, _ = l.do("GET", "/api/v1/events", "x")
	ta.add(t, class, "GET stream with a body", code == 400)
}

func slowBodyCut(l *live) bool {
	c, err := net.Dial("tcp", strings.TrimPrefix(l.base, "http://"))
	if err != nil {
		return false
	}
	defer c.Close()
	fmt.Fprintf(c, "POST /api/v1/operator/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"+
		"X-Ventanilla-Token: %s\r\nContent-Length: 100\r\n\r\n{", l.token)
	for range 30 {
		time.Sleep(time.Second) // the attack's pace
		if _, err := c.Write([]byte(" ")); err != nil {
			return true
		}
		_ = c.SetReadDeadline(time.Now().Add(10 * time.Millisecond))
		if n, err := c.Read(make([]byte, 256)); n > 0 || err == io.EOF {
			return true
		}
	}
	return false
}

// heldConns opens n idle connections and counts those still open after a
// moment.
func heldConns(l *live, n int) int {
	var conns []net.Conn
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for range n {
		c, err := net.DialTimeout("tcp", strings.TrimPrefix(l.base, "http://"), time.Second)
		if err != nil {
			break
		}
		conns = append(conns, c)
	}
	time.Sleep(500 * time.Millisecond)
	held := 0
	for _, c := range conns {
		// A refused connection has its 503 or EOF waiting; a held one
		// has nothing to read.
		_ = c.SetReadDeadline(time.Now().Add(20 * time.Millisecond))
		if n, err := c.Read(make([]byte, 1)); n == 0 && err != nil && err != io.EOF {
			held++
		}
	}
	return held
}
