package kioskapi

import (
	"context"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ventanilla-mx/ventanilla/session"
	"github.com/ventanilla-mx/ventanilla/session/sessiontest"
)

// stampFinger records when the capturer hands its result to the engine.
type stampFinger struct {
	inner *sessiontest.Finger
	t0    atomic.Int64
}

func (s *stampFinger) CaptureFinger(ctx context.Context, pos int, p func(session.Prompt)) (*session.FingerResult, error) {
	r, err := s.inner.CaptureFinger(ctx, pos, p)
	s.t0.Store(time.Now().UnixNano())
	return r, err
}

// BenchmarkLastCaptureToVerifier measures the session engine's own
// overhead from the moment the last capture returns its sample to the
// moment the verifier receives the request: the engine stores the sample,
// publishes capture.done, the screen asks to submit, the engine builds the
// request. "engine" has the screen as an in-process subscriber; "http" is
// the real path (SSE event over loopback, POST /submit); "floor" is a bare
// goroutine-and-channel hand-off, the least any design could cost.
func BenchmarkLastCaptureToVerifier(b *testing.B) {
	b.Run("floor", benchFloor)
	b.Run("engine", func(b *testing.B) { benchHandoff(b, false) })
	b.Run("http", func(b *testing.B) { benchHandoff(b, true) })
}

func benchFloor(b *testing.B) {
	var lat []time.Duration
	ready := make(chan int64)
	got := make(chan int64)
	go func() {
		for t0 := range ready {
			go func() { got <- t0 }()
		}
	}()
	for b.Loop() {
		go func() { ready <- time.Now().UnixNano() }()
		t0 := <-got
		func() { lat = append(lat, time.Duration(time.Now().UnixNano()-t0)) }()
	}
	close(ready)
	report(b, lat)
}

func benchHandoff(b *testing.B, overHTTP bool) {
	a := newAPI(b)
	sf := &stampFinger{inner: &sessiontest.Finger{Alloc: a.alloc, Prompts: []session.Prompt{}}}
	a.e.Close()
	e, err := session.New(session.Ports{Consent: &sessiontest.Consent{}, Credentials: sessiontest.Credentials{},
		Finger: sf, Verifier: a.ver, Alloc: a.alloc}, engineOpts())
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	var t1 atomic.Int64
	a.ver.OnVerify = func() { t1.Store(time.Now().UnixNano()) }
	a.e = e
	a.srv.e = e
	a.login()
	var ev *stream
	if overHTTP {
		ev = a.events()
	}
	var lat []time.Duration
	for b.Loop() {
		lat = append(lat, oneSession(b, a, ev, sf, &t1))
	}
	report(b, lat)
}

func engineOpts() *session.Opts {
	o := session.DefaultOpts()
	o.Notices = []session.Notice{testNotice}
	o.Log = slog.New(slog.DiscardHandler)
	return o
}

// oneSession runs a session to its answer and returns capture-to-verifier.
func oneSession(b *testing.B, a *api, ev *stream, sf *stampFinger, t1 *atomic.Int64) time.Duration {
	events, cancel := a.e.Subscribe()
	defer cancel()
	id, err := a.e.Claim("op-001")
	must(b, err)
	must(b, a.e.AcceptNotice(id, testNotice.Ref()))
	_, err = a.e.SignConsent(context.Background(), id, &session.Signature{Width: 10, Height: 10,
		Strokes: []session.Stroke{{{X: 1, Y: 1}, {X: 2, Y: 2, T: 5}}}})
	must(b, err)
	must(b, a.e.SetCredential(id, "E", map[string][]byte{"cic": []byte("123456789"), "identificadorCiudadano": []byte("987654321")}))
	must(b, a.e.StartFinger(id, 2))
	if ev != nil {
		ev.until(b, "capture.done")
		req, _ := http.NewRequest("POST", a.hs.URL+"/api/v1/sessions/"+string(id)+"/submit", strings.NewReader("{}"))
		req.Header.Set(TokenHeader, a.srv.Token())
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+a.opTok)
		resp, err := a.client.Do(req)
		must(b, err)
		resp.Body.Close()
	} else {
		waitKind(events, session.KindCaptureDone)
		must(b, a.e.Submit(id))
	}
	waitKind(events, session.KindAnswer)
	must(b, a.e.Finish(id))
	return time.Duration(t1.Load() - sf.t0.Load())
}

func waitKind(ch <-chan session.Event, k session.Kind) {
	for ev := range ch {
		if ev.Kind == k {
			return
		}
	}
}

func must(b testing.TB, err error) {
	b.Helper()
	if err != nil {
		b.Fatal(err)
	}
}

// report adds the median and 90th percentile of lat as metrics.
func report(b *testing.B, lat []time.Duration) {
	if len(lat) == 0 {
		return
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Nanoseconds())/1e3, "µs-p50")
	b.ReportMetric(float64(lat[len(lat)*9/10].Nanoseconds())/1e3, "µs-p90")
}
