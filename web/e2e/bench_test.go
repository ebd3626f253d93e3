package e2e

import (
	"context"
	"slices"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/ventanilla-mx/ventanilla/session"
	"github.com/ventanilla-mx/ventanilla/session/sessiontest"
)

// perfProbe runs before the app: it timestamps (epoch ms, sub-ms) the
// arrival of each answer.ready message, the DOM mutation that renders it,
// and the next animation frame after it. It touches nothing else.
const perfProbe = `(function () {
  const ES = window.EventSource;
  window.__perf = { msg: [], dom: [], paint: [] };
  const now = function () { return performance.timeOrigin + performance.now(); };
  let pending = false;
  function Wrapped(u, o) {
    const es = new ES(u, o);
    es.addEventListener("answer.ready", function () { window.__perf.msg.push(now()); pending = true; });
    return es;
  }
  Wrapped.prototype = ES.prototype;
  Wrapped.CONNECTING = ES.CONNECTING; Wrapped.OPEN = ES.OPEN; Wrapped.CLOSED = ES.CLOSED;
  window.EventSource = Wrapped;
  document.addEventListener("DOMContentLoaded", function () {
    const el = document.getElementById("answer-title");
    new MutationObserver(function () {
      if (!pending || !el.textContent) return;
      pending = false;
      window.__perf.dom.push(now());
      requestAnimationFrame(function () { window.__perf.paint.push(now()); });
    }).observe(el, { childList: true, characterData: true, subtree: true });
  });
})();`

type perf struct {
	Msg   []float64 `json:"msg"`
	DOM   []float64 `json:"dom"`
	Paint []float64 `json:"paint"`
}

// BenchmarkAnswerToScreen measures, in Chromium, from the verifier
// returning INE's answer to the answer in the kiosk page's DOM, split into
// its parts in the same run: engine + SSE transport (answer returned ->
// message in the page), render (message -> DOM updated), and the next
// animation frame (DOM -> frame).
func BenchmarkAnswerToScreen(b *testing.B) {
	bctx := browser(b)
	k := newKiosk(b, func(o *session.Opts) { o.Timeouts.Answer = time.Minute })
	k.finger.Prompts, k.finger.Pace = []session.Prompt{}, 0
	var t0 atomic.Int64
	k.ver.Rule = func(r *session.VerifyRequest) session.Answer {
		a := sessiontest.ValidFor(r)
		t0.Store(time.Now().UnixNano())
		return a
	}
	ctx, cancel := chromedp.NewContext(bctx)
	defer cancel()
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument,
		page.AddScriptToEvaluateOnNewDocumentParams{Source: perfProbe}); err != nil {
		b.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(k.url+"/"), chromedp.WaitVisible(css("#op-id"))); err != nil {
		b.Fatal(err)
	}
	offset, clockErr := clockOffset(b, ctx)
	var transport, render, frame, total []time.Duration
	for i := 0; b.Loop(); i++ {
		answerSession(b, ctx, k)
		p := waitPerf(b, ctx, i+1)
		start := float64(t0.Load())/1e6 + offset
		transport = append(transport, ms(p.Msg[i]-start))
		render = append(render, ms(p.DOM[i]-p.Msg[i]))
		frame = append(frame, ms(p.Paint[i]-p.DOM[i]))
		total = append(total, ms(p.DOM[i]-start))
		must(b, k.e.Finish(k.e.Snapshot().Session))
	}
	metric(b, total, "ms-answer-to-dom-p50")
	metric(b, transport, "ms-engine+sse-p50")
	metric(b, render, "ms-render-p50")
	metric(b, frame, "ms-dom-to-frame-p50")
	b.ReportMetric(clockErr, "ms-clock-error")
}

// clockOffset estimates browser clock minus Go clock (ms): the browser's
// time is read between two Go readings; the sample with the shortest round
// trip wins (its error is at most half that round trip).
func clockOffset(b *testing.B, ctx context.Context) (offset, maxErr float64) {
	best, off := time.Hour, 0.0
	for range 20 {
		t1 := time.Now()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`performance.timeOrigin + performance.now()`))
		t2 := time.Now()
		if err != nil {
			b.Fatal(err)
		}
		if rtt := t2.Sub(t1); rtt < best {
			best = rtt
			off = v - float64(t1.UnixNano()+t2.UnixNano())/2e6
		}
	}
	return off, float64(best) / 2e6
}

func ms(v float64) time.Duration { return time.Duration(v * 1e6) }

func metric(b *testing.B, d []time.Duration, unit string) {
	slices.Sort(d)
	b.ReportMetric(float64(d[len(d)/2])/1e6, unit)
}

// answerSession drives one finger-only session to its answer through the
// engine; the page follows it on the event stream. Before submitting it
// waits until the page shows the capture and its main thread is idle, as
// it is when a citizen presses "send" seconds later: otherwise the answer
// would queue behind the page's work on the steps that the benchmark runs
// in a millisecond.
func answerSession(b *testing.B, ctx context.Context, k *kiosk) {
	events, cancel := k.e.Subscribe()
	defer cancel()
	id, err := k.e.Claim(opID)
	must(b, err)
	must(b, k.e.AcceptNotice(id, k.e.Notices()[0].Ref()))
	_, err = k.e.SignConsent(context.Background(), id, &session.Signature{Width: 10, Height: 10,
		Strokes: []session.Stroke{{{X: 1, Y: 1}, {X: 2, Y: 2, T: 5}}}})
	must(b, err)
	must(b, k.e.SetCredential(id, "E", map[string][]byte{"cic": []byte("123456789"), "identificadorCiudadano": []byte("987654321")}))
	must(b, k.e.StartFinger(id, 2))
	until(events, session.KindCaptureDone)
	must(b, chromedp.Do(ctx, chromedp.WaitVisible(css("#s-biometrics")), waitText("#finger-status", "índice derecho")))
	_, err = chromedp.Run(ctx, chromedp.Evaluate[bool](
		`new Promise(r => requestIdleCallback(() => requestAnimationFrame(() => requestIdleCallback(() => r(true)))))`,
		chromedp.EvalAwaitPromise))
	must(b, err)
	must(b, k.e.Submit(id))
	until(events, session.KindAnswer)
}

func until(ch <-chan session.Event, k session.Kind) {
	for ev := range ch {
		if ev.Kind == k {
			return
		}
	}
}

func waitPerf(b *testing.B, ctx context.Context, n int) perf {
	js := `(function(){const p=window.__perf;return p && p.paint.length >= ` + strconv.Itoa(n) + ` ? p : null;})()`
	p, err := chromedp.Run(ctx, chromedp.Poll[perf](js, chromedp.WithPollingTimeout(30*time.Second)))
	if err != nil {
		b.Fatalf("answer never reached the page: %v", err)
	}
	return p
}

func must(b testing.TB, err error) {
	b.Helper()
	if err != nil {
		b.Fatal(err)
	}
}
