package e2e

import (
	"context"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// TestKeyboardOnlySession (issue 13, finding 7): a whole session with the
// keyboard alone, consent included: the citizen who cannot sign on the
// screen types the acceptance word, and the ledger gets a typed
// acceptance (recorded as such, never as a signature). No pointer event is
// sent: only key presses, and Tab to move.
func TestKeyboardOnlySession(t *testing.T) {
	k := newKiosk(t, nil)
	ctx := tab(t, browser(t))
	run(t, ctx, "open the kiosk page", chromedp.EmulateViewport(1366, 768),
		chromedp.Navigate(k.url+"/"), chromedp.WaitVisible(css("#op-id")))
	tabTo(t, ctx, "op-id")
	keys(t, ctx, opID)
	tabTo(t, ctx, "op-pin")
	keys(t, ctx, opPIN+kb.Enter)
	run(t, ctx, "logged in", chromedp.WaitVisible(css("#start")))
	tabTo(t, ctx, "start")
	keys(t, ctx, kb.Enter)
	run(t, ctx, "the notice", waitText("#notice-text", "AVISO DE PRIVACIDAD"))
	tabTo(t, ctx, "notice-text")
	keys(t, ctx, kb.End)
	run(t, ctx, "read to the end with the keyboard", chromedp.WaitEnabled(css("#notice-accept")))
	tabTo(t, ctx, "notice-accept")
	keys(t, ctx, kb.Enter)
	run(t, ctx, "the consent screen", chromedp.WaitVisible(css("#typed-phrase")))
	tabTo(t, ctx, "typed-phrase")
	keys(t, ctx, "acepto"+kb.Enter)
	run(t, ctx, "the consent is recorded", chromedp.WaitVisible(css("#model-E")))
	tabTo(t, ctx, "model-A")
	keys(t, ctx, kb.ArrowRight+kb.ArrowRight+kb.ArrowRight+kb.ArrowRight) // A → E, as a radio group moves
	run(t, ctx, "model E's fields", chromedp.WaitVisible(css("#f-cic")))
	tabTo(t, ctx, "f-cic")
	keys(t, ctx, "123456789"+kb.Tab+"987654321"+kb.Enter)
	run(t, ctx, "the capture choice", chromedp.WaitVisible(css("#s-biometrics")))
	tabTo(t, ctx, "finger-go")
	keys(t, ctx, kb.Enter)
	run(t, ctx, "the finger is captured", chromedp.WaitVisible(css("#s-finger")), chromedp.WaitVisible(css("#s-biometrics")),
		waitText("#finger-status", "índice derecho"), chromedp.WaitEnabled(css("#submit")))
	tabTo(t, ctx, "submit")
	keys(t, ctx, kb.Enter)
	run(t, ctx, "the answer", chromedp.WaitVisible(css("#s-answer")), waitText("#answer-title", "Credencial verificada"),
		chromedp.WaitVisible(css("#answer-receipt")))
	tabTo(t, ctx, "finish")
	keys(t, ctx, kb.Enter)
	run(t, ctx, "back to the start", chromedp.WaitVisible(css("#start")))
	recs := k.consent.Records()
	if len(recs) != 1 || recs[0].Typed == nil || recs[0].Typed.Phrase != "ACEPTO" || recs[0].Signature != nil {
		t.Fatalf("the ledger got %+v, want one typed acceptance and no signature", recs)
	}
	if seen := k.ver.Seen(); len(seen) != 1 || seen[0].Finger != 2 {
		t.Fatalf("verifier saw %+v", seen)
	}
}

// tabTo presses Tab until the element with id has the focus (at most 25
// times): it fails when the keyboard cannot reach it.
func tabTo(t *testing.T, ctx context.Context, id string) {
	t.Helper()
	var trail []string
	for range 25 {
		got, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.activeElement ? document.activeElement.id : ''`))
		if err != nil {
			t.Fatal(err)
		}
		if got == id {
			return
		}
		trail = append(trail, got)
		keys(t, ctx, kb.Tab)
	}
	t.Fatalf("Tab never reached #%s; focus went through %q", id, trail)
}

func keys(t *testing.T, ctx context.Context, s string) {
	t.Helper()
	run(t, ctx, "keys", chromedp.KeyEvent(s))
}
