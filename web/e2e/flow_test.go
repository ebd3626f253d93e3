package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/ventanilla-mx/ventanilla/session"
	"github.com/ventanilla-mx/ventanilla/vocab"
)

// TestKioskFlow drives issue 13's session-flow findings (2 and 4) in
// Chromium.
func TestKioskFlow(t *testing.T) {
	b := browser(t)
	t.Run("a reload mid-capture returns to the login within 2 s and resumes", func(t *testing.T) { reloadMidCapture(t, b) })
	t.Run("a page whose login ended elsewhere returns to the login within 2 s", func(t *testing.T) { loginEndedElsewhere(t, b) })
	t.Run("cancel returns to the capture, and a mismatch is corrected and resent", func(t *testing.T) { retryAndCorrect(t, b) })
}

// headerAgrees fails when the header names an operator while the login
// form is on screen, or names none over a session screen.
func headerAgrees(t *testing.T, ctx context.Context) {
	t.Helper()
	r, err := chromedp.Run(ctx, chromedp.Evaluate[map[string]any](`(function(){
		const vis = function(id){ const e=document.getElementById(id); return !!e && e.offsetParent !== null; };
		return {who: document.getElementById('who').textContent, login: vis('op-id')};})()`))
	if err != nil {
		t.Fatal(err)
	}
	who, _ := r["who"].(string)
	if login, _ := r["login"].(bool); login == (who != "") {
		t.Fatalf("header %q with the login form visible=%v", who, login)
	}
}

func reloadMidCapture(t *testing.T, b context.Context) {
	k := newKiosk(t, nil)
	k.finger.SetHold(true)
	ctx := tab(t, b)
	login(t, ctx, k, false)
	throughConsent(t, ctx, false)
	enterCredential(t, ctx, false)
	run(t, ctx, "start a finger capture", chromedp.Click(css("#finger-go")), chromedp.WaitVisible(css("#s-finger")))
	headerAgrees(t, ctx)
	within, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	run(t, within, "reload: the clerk's login within 2 s",
		chromedp.Reload(),
		chromedp.WaitVisible(css("#op-id")),
		chromedp.WaitVisible(css("#busy")),
	)
	headerAgrees(t, ctx)
	run(t, ctx, "the clerk logs in and the capture is on screen again",
		chromedp.SendKeys(css("#op-id"), opID),
		chromedp.SendKeys(css("#op-pin"), opPIN),
		chromedp.Click(css("#login-go")),
		chromedp.WaitVisible(css("#s-finger")),
	)
	headerAgrees(t, ctx)
	k.finger.SetHold(false)
	run(t, ctx, "cancel works after the reload: back to the biometrics step",
		chromedp.Click(css("#s-finger [data-cancel-capture]")),
		chromedp.WaitVisible(css("#s-biometrics")),
		waitText("#finger-status", "cancelada"),
	)
	if st := k.e.Snapshot(); st.State != session.StateBiometrics || st.Consent == "" {
		t.Fatalf("after cancel: %s consent %q", st.State, st.Consent)
	}
}

// loginEndedElsewhere: the clerk's login on this page ended (a login on
// another page replaced it, or the idle logout) while a session runs.
// Every button used to answer "El personal debe iniciar sesión de nuevo"
// with no login form in reach; the page must show the login at once.
func loginEndedElsewhere(t *testing.T, b context.Context) {
	k := newKiosk(t, nil)
	ctx := tab(t, b)
	login(t, ctx, k, false)
	throughConsent(t, ctx, false)
	other := tab(t, b)
	run(t, other, "a second page logs in, replacing the first page's login, and resumes the session",
		chromedp.Navigate(k.url+"/"),
		chromedp.SendKeys(css("#op-id"), opID),
		chromedp.SendKeys(css("#op-pin"), opPIN),
		chromedp.Click(css("#login-go")),
		chromedp.WaitVisible(css("#model-E")),
	)
	within, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	run(t, within, "the first page returns to the login within 2 s",
		chromedp.Click(css("#s-credential [data-abort]")),
		chromedp.WaitVisible(css("#op-id")),
	)
	headerAgrees(t, ctx)
	if a := textOf(t, ctx, "#alert"); strings.Contains(a, "debe iniciar sesión") && !visible(t, ctx, "#op-id") {
		t.Fatalf("told to log in with no login form: %q", a)
	}
}

func visible(t *testing.T, ctx context.Context, sel string) bool {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(function(){const e=document.querySelector(`+quote(sel)+`);return !!e && e.offsetParent !== null;})()`))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// retryAndCorrect (finding 4): "Cancelar" during a capture returns to that
// capture under the same consent, and an answer of data mismatch offers
// "Corregir los datos": the clerk corrects them and the session sends
// again without a new notice or signature. The closing text names only
// what was taken.
func retryAndCorrect(t *testing.T, b context.Context) {
	k := newKiosk(t, nil)
	mismatch := session.Answer{Status: vocab.StatusDataMismatch, FaceSimilarity: -1, FingerSimilarity: -1}
	k.ver.Answers = []session.Answer{mismatch}
	k.face.SetHold(true)
	ctx := tab(t, b)
	login(t, ctx, k, false)
	throughConsent(t, ctx, false)
	enterCredential(t, ctx, false)
	consent := k.e.Snapshot().Consent
	run(t, ctx, "start a face capture and cancel it",
		chromedp.Click(css("#face-go")),
		chromedp.WaitVisible(css("#s-face")),
		chromedp.Click(css("#s-face [data-cancel-capture]")),
		chromedp.WaitVisible(css("#s-biometrics")),
		waitText("#face-status", "cancelada"),
	)
	if focused, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.activeElement.id`)); focused != "face-go" {
		t.Fatalf("after the cancel the focus is on %q, want the face capture's button", focused)
	}
	k.face.SetHold(false)
	run(t, ctx, "capture a finger and send",
		chromedp.Click(css("#finger-go")),
		waitText("#finger-status", "índice derecho"),
		chromedp.WaitEnabled(css("#submit")),
		chromedp.Click(css("#submit")),
		chromedp.WaitVisible(css("#s-answer.denied")),
		chromedp.WaitVisible(css("#correct")),
		waitText("#answer-wiped", "No se tomó su fotografía"),
	)
	run(t, ctx, "correct the data and send again",
		chromedp.Click(css("#correct")),
		chromedp.WaitVisible(css("#model-E")),
	)
	enterCredentialOf(t, ctx, "E", "123456780", "987654321", false)
	run(t, ctx, "capture the face and send",
		chromedp.Click(css("#face-go")),
		waitText("#face-status", "lista"),
		chromedp.WaitEnabled(css("#submit")),
		chromedp.Click(css("#submit")),
		chromedp.WaitVisible(css("#s-answer.approved")),
		waitText("#answer-wiped", "No se tomó su huella"),
	)
	if !hidden(t, ctx, "#correct") {
		t.Fatal("a verified credential offers a correction")
	}
	if st := k.e.Snapshot(); st.Consent != consent {
		t.Fatalf("the resend used consent %q, want the first %q", st.Consent, consent)
	}
	if n := len(k.ver.Seen()); n != 2 {
		t.Fatalf("%d requests, want 2", n)
	}
}

func hidden(t *testing.T, ctx context.Context, sel string) bool { return !visible(t, ctx, sel) }
