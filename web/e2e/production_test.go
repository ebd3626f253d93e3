package e2e

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/ventanilla-mx/ventanilla/session"
)

// TestKioskProduction drives issue 13's findings in Chromium.
func TestKioskProduction(t *testing.T) {
	b := browser(t)
	t.Run("not ready refuses the session with a citizen screen and the clerk's reason", func(t *testing.T) { notReadyRefused(t, b) })
	t.Run("a failed comparison says no match and never the status", func(t *testing.T) { noMatchHidesStatus(t, b) })
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
	k.ver.Answers = []session.Answer{{Status: session.StatusLostOrStolen, FingerSimilarity: 0, FaceSimilarity: -1}}
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
