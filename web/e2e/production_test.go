package e2e

import (
	"context"
	"log/slog"
	"net"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/ventanilla-mx/ventanilla/session"
	"github.com/ventanilla-mx/ventanilla/session/kioskapi"
	"github.com/ventanilla-mx/ventanilla/session/operator"
	"github.com/ventanilla-mx/ventanilla/vocab"
	"github.com/ventanilla-mx/ventanilla/web"
)

// TestKioskProduction drives issue 13's findings in Chromium.
func TestKioskProduction(t *testing.T) {
	b := browser(t)
	t.Run("not ready refuses the session with a citizen screen and the clerk's reason", func(t *testing.T) { notReadyRefused(t, b) })
	t.Run("a failed comparison says no match and never the status", func(t *testing.T) { noMatchHidesStatus(t, b) })
	t.Run("after a daemon restart the page heals itself", func(t *testing.T) { healsAfterRestart(t, b) })
}

// restartAPI replaces the kiosk API as a daemon restart does: a new
// per-boot token and no login, on the same address.
func restartAPI(t *testing.T, k *kiosk) {
	addr := k.hs.Listener.Addr().String()
	k.srv.Close()
	k.hs.Close()
	hash, err := operator.HashPIN(opPIN, operator.Params{Memory: 64, Time: 1, Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	auth, err := operator.New(map[string]string{opID: hash}, operator.DefaultOpts())
	if err != nil {
		t.Fatal(err)
	}
	srv, err := kioskapi.New(k.e, auth, &kioskapi.Opts{UI: web.UI(), Preview: true, Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewUnstartedServer(nil)
	hs.Config = srv.HTTPServer()
	hs.Listener.Close()
	hs.Listener = srv.Limit(ln)
	hs.Start()
	k.srv, k.hs = srv, hs
	t.Cleanup(func() { srv.Close(); hs.Close() })
}

// healsAfterRestart (finding 2): the page that held the old token is
// usable again within 5 s with nobody touching it: the login form, no
// operator in the header, and a login that works.
func healsAfterRestart(t *testing.T, b context.Context) {
	k := newKiosk(t, nil)
	ctx := tab(t, b)
	loginAt(t, ctx, k.url, false)
	restartAPI(t, k)
	wait, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	run(t, wait, "the login form is back within 5 s", chromedp.WaitVisible(css("#op-id")))
	if who := textOf(t, ctx, "#who"); who != "" {
		t.Fatalf("the header still names an operator over the login form: %q", who)
	}
	run(t, ctx, "the clerk logs in again",
		chromedp.Evaluate[chromedp.Void](`document.getElementById('op-id').value=''`),
		chromedp.SendKeys(css("#op-id"), opID),
		chromedp.SendKeys(css("#op-pin"), opPIN),
		chromedp.Click(css("#login-go")),
		chromedp.WaitVisible(css("#start")),
	)
}

func notReadyRefused(t *testing.T, b context.Context) {
	var down atomic.Bool
	down.Store(true)
	k := newKiosk(t, func(o *session.Opts) {
		o.Readiness = func() session.Readiness {
			if down.Load() {
				return session.Readiness{NotReady: []string{"disk.low"}}
			}
			return session.Readiness{}
		}
	})
	ctx := tab(t, b)
	loginAt(t, ctx, k.url, false)
	run(t, ctx, "the citizen is told the kiosk is not available",
		chromedp.WaitVisible(css("#not-ready")),
		waitText("#not-ready", "no está disponible"),
	)
	if dis, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.getElementById('start').disabled`)); !dis {
		t.Fatal("start is offered on a kiosk that is not ready")
	}
	// A start forced past the disabled button is refused with the reason.
	run(t, ctx, "a forced start is refused with the clerk's reason",
		chromedp.Evaluate[chromedp.Void](`document.getElementById('start').disabled=false`),
		chromedp.Click(css("#start")),
		waitText("#alert", "disk.low"),
	)
	if st := k.e.Snapshot(); st.State != session.StateIdle {
		t.Fatalf("a session started on a kiosk not ready: %s", st.State)
	}
}

func noMatchHidesStatus(t *testing.T, b context.Context) {
	k := newKiosk(t, nil)
	k.ver.Answers = []session.Answer{{Status: vocab.StatusLostOrStolen, FingerSimilarity: 0, FaceSimilarity: -1}}
	ctx := tab(t, b)
	fingerOnly(t, ctx, k)
	run(t, ctx, "the answer is a plain no match",
		chromedp.WaitVisible(css("#s-answer.no_match")),
		waitText("#answer-title", "No coincide"),
	)
	page, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.innerText + JSON.stringify(performance.now())`))
	if err != nil {
		t.Fatal(err)
	}
	for _, leak := range []string{"extraviada", "robada", "lost", "stolen"} {
		if strings.Contains(page, leak) {
			t.Fatalf("the screen tells the holder's status (%q)", leak)
		}
	}
}
