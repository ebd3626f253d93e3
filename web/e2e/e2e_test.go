package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"

	"github.com/ventanilla-mx/ventanilla/internal/testenv"
	"github.com/ventanilla-mx/ventanilla/session"
	"github.com/ventanilla-mx/ventanilla/vocab"
)

func css(s string) chromedp.CSS { return chromedp.CSS(s) }

// TestKiosk drives the kiosk UI in Chromium through whole sessions.
func TestKiosk(t *testing.T) {
	b := browser(t)
	t.Run("full session from login to answer to reset", func(t *testing.T) { fullSession(t, b) })
	t.Run("abort midway wipes and returns to welcome", func(t *testing.T) { abortMidway(t, b) })
	t.Run("denial", func(t *testing.T) { denial(t, b) })
	t.Run("INE timeout is try again, never a denial", func(t *testing.T) { ineTimeout(t, b) })
	t.Run("the preview is shown to the clerk with a one-time secret", func(t *testing.T) { previewShown(t, b) })
	t.Run("a page without login sees the phase, never the answer", func(t *testing.T) { anonymousPage(t, b) })
	t.Run("a reload asks the clerk to log in, then resumes", func(t *testing.T) { reloadResumes(t, b) })
	t.Run("a lockout shows the time left", func(t *testing.T) { lockoutTimeLeft(t, b) })
}

func previewShown(t *testing.T, b context.Context) {
	k := newKiosk(t, nil)
	k.face.Hold = true
	ctx := tab(t, b)
	login(t, ctx, k, false)
	throughConsent(t, ctx, false)
	enterCredential(t, ctx, false)
	run(t, ctx, "the face capture shows the camera preview",
		chromedp.Click(css("#face-go")),
		chromedp.WaitVisible(css("#s-face")),
		chromedp.Poll[chromedp.Void](`document.getElementById('preview').naturalWidth > 0`,
			chromedp.WithPollingInterval(20*time.Millisecond), chromedp.WithPollingTimeout(30*time.Second)),
	)
	src, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById('preview').getAttribute('src')`))
	if err != nil || !strings.HasSuffix(src, "/preview?t="+k.srv.Token()) {
		t.Fatalf("preview src %q (%v): only the page token may be in the URL", src, err)
	}
	cookie, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.cookie`))
	if cookie != "" {
		t.Fatalf("the preview secret is readable by script: %q", cookie)
	}
	run(t, ctx, "cancel the capture", chromedp.Click(css("#s-face [data-cancel-capture]")), chromedp.WaitVisible(css("#s-biometrics")))
}

// answerText is what the answer screen shows, whatever is hidden.
const answerText = `document.getElementById('answer-title').textContent + document.getElementById('answer-sim').textContent`

func anonymousPage(t *testing.T, b context.Context) {
	k := newKiosk(t, nil)
	other := tab(t, b)
	run(t, other, "a page nobody logged into", chromedp.Navigate(k.url+"/"), chromedp.WaitVisible(css("#op-id")))
	ctx := tab(t, b)
	fingerOnly(t, ctx, k)
	run(t, ctx, "the clerk sees the answer", chromedp.WaitVisible(css("#s-answer")), waitText("#answer-title", "Credencial verificada"))
	run(t, other, "the other page shows the session is busy", chromedp.WaitVisible(css("#busy")), chromedp.WaitVisible(css("#op-id")))
	got, err := chromedp.Run(other, chromedp.Evaluate[string](answerText))
	if err != nil || got != "" {
		t.Fatalf("the page without login shows %q (%v)", got, err)
	}
	model, _ := chromedp.Run(other, chromedp.Evaluate[string](`JSON.stringify(performance.getEntriesByType('resource').map(e => e.name))`))
	if strings.Contains(model, "/preview") {
		t.Fatalf("the page without login asked for the preview: %s", model)
	}
}

func reloadResumes(t *testing.T, b context.Context) {
	k := newKiosk(t, nil)
	ctx := tab(t, b)
	login(t, ctx, k, false)
	throughConsent(t, ctx, false)
	run(t, ctx, "reload in the middle of the session",
		chromedp.Reload(),
		chromedp.WaitVisible(css("#busy")),
		chromedp.WaitVisible(css("#op-id")),
	)
	run(t, ctx, "the clerk logs in and the session resumes",
		chromedp.SendKeys(css("#op-id"), opID),
		chromedp.SendKeys(css("#op-pin"), opPIN),
		chromedp.Click(css("#login-go")),
		chromedp.WaitVisible(css("#model-E")),
	)
}

func lockoutTimeLeft(t *testing.T, b context.Context) {
	k := newKiosk(t, nil)
	ctx := tab(t, b)
	run(t, ctx, "open the kiosk page", chromedp.Navigate(k.url+"/"), chromedp.WaitVisible(css("#op-id")))
	for i := range 5 {
		run(t, ctx, "a wrong PIN",
			chromedp.Evaluate[chromedp.Void](`document.getElementById('op-id').value='';document.getElementById('op-pin').value=''`),
			chromedp.SendKeys(css("#op-id"), opID),
			chromedp.SendKeys(css("#op-pin"), "000000"),
			chromedp.Click(css("#login-go")),
		)
		if i < 4 {
			run(t, ctx, "wrong PIN told", waitText("#alert", "PIN incorrecto"),
				chromedp.Evaluate[chromedp.Void](`document.getElementById('alert').textContent=''`))
		}
	}
	run(t, ctx, "the right PIN while locked",
		waitText("#alert", "PIN incorrecto"),
		chromedp.Evaluate[chromedp.Void](`document.getElementById('op-id').value='';document.getElementById('op-pin').value=''`),
		chromedp.SendKeys(css("#op-id"), opID),
		chromedp.SendKeys(css("#op-pin"), opPIN),
		chromedp.Click(css("#login-go")),
		waitText("#alert", "Podrá intentar de nuevo en 4:5"),
	)
}

func fullSession(t *testing.T, b context.Context) {
	k := newKiosk(t, nil)
	ctx := tab(t, b)
	login(t, ctx, k, true)
	throughConsent(t, ctx, true)
	enterCredential(t, ctx, true)
	run(t, ctx, "face capture with live prompts",
		chromedp.Click(css("#face-go")),
		chromedp.WaitVisible(css("#s-face")),
		waitText("#face-prompt", "Parpadee dos veces"),
		waitText("#face-step", "Paso 2 de 2"),
		chromedp.WaitVisible(css("#s-biometrics")),
		waitText("#face-status", "Fotografía lista"),
	)
	run(t, ctx, "finger capture: choose the finger, place and lift",
		chooseFinger(7),
		chromedp.Click(css("#finger-go")),
		chromedp.WaitVisible(css("#s-finger")),
		waitText("#finger-which", "índice izquierdo"),
		waitText("#finger-prompt", "Retire su dedo"),
		chromedp.WaitVisible(css("#s-biometrics")),
		waitText("#finger-status", "índice izquierdo"),
	)
	axe(t, ctx, "biometrics")
	run(t, ctx, "submit and see the answer",
		chromedp.Click(css("#submit")),
		chromedp.WaitVisible(css("#s-answer")),
		waitText("#answer-title", "Credencial verificada"),
		waitText("#answer-sim", "93 %"),
		waitText("#answer-wiped", "borrada"),
	)
	if err := k.alloc.CheckWiped(); err != nil {
		t.Fatalf("answer on screen with buffers alive: %v", err)
	}
	axe(t, ctx, "answer")
	run(t, ctx, "automatic reset to the welcome screen",
		chromedp.WaitVisible(css("#start")),
		chromedp.WaitNotVisible(css("#s-answer")),
	)
	if st := k.e.Snapshot().State; st != session.StateIdle {
		t.Fatalf("engine state after reset: %s", st)
	}
	if seen := k.ver.Seen(); len(seen) != 1 || seen[0].Finger != 7 || !seen[0].Face || !seen[0].Intact {
		t.Fatalf("verifier saw %+v", seen)
	}
}

func abortMidway(t *testing.T, b context.Context) {
	k := newKiosk(t, nil)
	ctx := tab(t, b)
	login(t, ctx, k, false)
	throughConsent(t, ctx, false)
	enterCredential(t, ctx, false)
	run(t, ctx, "capture a finger, then cancel",
		chromedp.Click(css("#finger-go")),
		waitText("#finger-status", "índice derecho"),
		chromedp.Click(css("#s-biometrics [data-abort]")),
		chromedp.WaitVisible(css("#start")),
		waitText("#alert", "Sus datos fueron borrados"),
	)
	if err := k.alloc.CheckWiped(); err != nil {
		t.Fatal(err)
	}
	if len(k.ver.Seen()) != 0 {
		t.Fatal("an aborted session reached the verifier")
	}
}

func denial(t *testing.T, b context.Context) {
	k := newKiosk(t, nil)
	k.ver.Answers = []session.Answer{{Status: vocab.StatusNotFound, FaceSimilarity: -1, FingerSimilarity: -1}}
	ctx := tab(t, b)
	fingerOnly(t, ctx, k)
	run(t, ctx, "the denial is shown",
		chromedp.WaitVisible(css("#s-answer.denied")),
		waitText("#answer-title", "No fue posible verificar la credencial"),
		waitText("#answer-text", "no encontró una credencial"),
	)
}

func ineTimeout(t *testing.T, b context.Context) {
	k := newKiosk(t, func(o *session.Opts) { o.Timeouts.Submit = 2 * time.Second })
	k.ver.Hold = true
	ctx := tab(t, b)
	fingerOnly(t, ctx, k)
	run(t, ctx, "INE does not answer: try again",
		chromedp.WaitVisible(css("#s-submitting")),
		chromedp.WaitVisible(css("#s-answer.retry")),
		waitText("#answer-title", "Intente de nuevo"),
		waitText("#answer-text", "no es un rechazo"),
	)
	if title := textOf(t, ctx, "#answer-title"); strings.Contains(title, "No fue posible verificar") {
		t.Fatalf("an INE timeout was shown as a denial: %q", title)
	}
	if sim := textOf(t, ctx, "#answer-sim"); sim != "" {
		t.Fatalf("a similarity was shown without an answer: %q", sim)
	}
}

// ---- steps ----

func login(t *testing.T, ctx context.Context, k *kiosk, check bool) { loginAt(t, ctx, k.url, check) }

func loginAt(t *testing.T, ctx context.Context, url string, check bool) {
	run(t, ctx, "open the kiosk page", chromedp.Navigate(url+"/"), chromedp.WaitVisible(css("#op-id")))
	if check {
		axe(t, ctx, "welcome")
	}
	run(t, ctx, "operator login",
		chromedp.SendKeys(css("#op-id"), opID),
		chromedp.SendKeys(css("#op-pin"), opPIN),
		chromedp.Click(css("#login-go")),
		chromedp.WaitVisible(css("#start")),
	)
}

func throughConsent(t *testing.T, ctx context.Context, check bool) {
	run(t, ctx, "start and read the privacy notice",
		chromedp.Click(css("#start")),
		chromedp.WaitVisible(css("#notice-text")),
		waitText("#notice-text", "AVISO DE PRIVACIDAD"),
	)
	if check {
		axe(t, ctx, "notice")
	}
	run(t, ctx, "scroll to the end and accept",
		chromedp.Evaluate[chromedp.Void](`(function(){const e=document.getElementById('notice-text');e.scrollTop=e.scrollHeight;})()`),
		chromedp.WaitEnabled(css("#notice-accept")),
		chromedp.Click(css("#notice-accept")),
		chromedp.WaitVisible(css("#sig")),
	)
	if check {
		axe(t, ctx, "signature")
	}
	sign(t, ctx)
	run(t, ctx, "send the signature", chromedp.WaitEnabled(css("#sig-send")), chromedp.Click(css("#sig-send")),
		chromedp.WaitVisible(css("#model-E")))
}

// sign draws two strokes with the mouse, as a citizen with a stylus would.
func sign(t *testing.T, ctx context.Context) {
	r, err := chromedp.Run(ctx, chromedp.Evaluate[map[string]float64](
		`(function(){const r=document.getElementById('sig').getBoundingClientRect();return {x:r.left,y:r.top,w:r.width,h:r.height};})()`))
	if err != nil {
		t.Fatal(err)
	}
	var acts []chromedp.Action[chromedp.Void]
	for s := range 2 {
		x0, y := r["x"]+r["w"]*0.1+float64(s)*r["w"]*0.4, r["y"]+r["h"]*0.5
		acts = append(acts, chromedp.MouseEvent(input.DispatchMouseEventTypeMousePressed, x0, y, chromedp.ButtonLeft))
		for i := 1; i <= 12; i++ {
			acts = append(acts, chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, x0+float64(i)*12, y+float64((i%4)*9-12), chromedp.ButtonLeft))
		}
		acts = append(acts, chromedp.MouseEvent(input.DispatchMouseEventTypeMouseReleased, x0+150, y, chromedp.ButtonLeft))
	}
	run(t, ctx, "sign on the screen", acts...)
}

func enterCredential(t *testing.T, ctx context.Context, check bool) {
	enterCredentialOf(t, ctx, "E", "123456789", "987654321", check)
}

// enterCredentialOf types a model E-H credential: CIC and identificador.
func enterCredentialOf(t *testing.T, ctx context.Context, model, cic, id string, check bool) {
	run(t, ctx, "choose model "+model+" and type the fields",
		chromedp.Click(css("#model-"+model)),
		chromedp.WaitVisible(css("#f-cic")),
		chromedp.Click(css("#f-cic")),
	)
	if check {
		axe(t, ctx, "credential")
	}
	run(t, ctx, "send the credential",
		chromedp.SendKeys(css("#f-cic"), cic),
		chromedp.SendKeys(css("#f-identificadorCiudadano"), id),
		chromedp.Click(css("#cred-send")),
		chromedp.WaitVisible(css("#s-biometrics")),
	)
}

func fingerOnly(t *testing.T, ctx context.Context, k *kiosk) {
	login(t, ctx, k, false)
	throughConsent(t, ctx, false)
	enterCredential(t, ctx, false)
	run(t, ctx, "capture a finger and submit",
		chromedp.Click(css("#finger-go")),
		waitText("#finger-status", "índice derecho"),
		chromedp.WaitEnabled(css("#submit")),
		chromedp.Click(css("#submit")),
	)
}

// ---- accessibility ----

type violation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  int    `json:"nodes"`
}

// axe runs axe-core on the current screen and fails on serious or
// critical violations. It skips when axe-core was not fetched.
func axe(t *testing.T, ctx context.Context, screen string) {
	t.Helper()
	dir := os.Getenv("VENTANILLA_AXE_DIR")
	if dir == "" {
		dir = filepath.Join(repoRoot(), ".cache", "node", "node_modules", "axe-core")
	}
	src, err := os.ReadFile(filepath.Join(dir, "axe.min.js"))
	if err != nil {
		if testenv.CI() {
			t.Fatalf("axe-core not found in %s (scripts/deps.sh fetches it): required under CI=true", dir)
		}
		t.Logf("axe-core not found in %s (scripts/deps.sh fetches it); accessibility check of %s skipped", dir, screen)
		return
	}
	loaded, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`typeof axe !== 'undefined'`))
	if err == nil && !loaded {
		_, err = chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](string(src)+"\n;void 0"))
	}
	if err != nil {
		t.Fatalf("inject axe-core: %v", err)
	}
	vs, err := chromedp.Run(ctx, chromedp.Evaluate[[]violation](`axe.run(document, {resultTypes: ['violations']}).then(r => r.violations.map(v => ({id: v.id, impact: v.impact || '', help: v.help, nodes: v.nodes.length})))`,
		chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("axe.run on %s: %v", screen, err)
	}
	t.Logf("axe-core on the %s screen: %d violations", screen, len(vs))
	if os.Getenv("VENTANILLA_E2E_SHOTS") != "" {
		shot(t, ctx, screen)
	}
	for _, v := range vs {
		if v.Impact == "serious" || v.Impact == "critical" {
			t.Errorf("accessibility (%s screen): %s %s: %s (%d nodes)", screen, v.Impact, v.ID, v.Help, v.Nodes)
		} else {
			t.Logf("accessibility (%s screen): %s %s: %s", screen, v.Impact, v.ID, v.Help)
		}
	}
}
