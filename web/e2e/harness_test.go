package e2e

import (
	"context"
	"errors"
	"log/slog"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/ventanilla-mx/ventanilla/internal/testenv"
	"github.com/ventanilla-mx/ventanilla/session"
	"github.com/ventanilla-mx/ventanilla/session/kioskapi"
	"github.com/ventanilla-mx/ventanilla/session/operator"
	"github.com/ventanilla-mx/ventanilla/session/sessiontest"
	"github.com/ventanilla-mx/ventanilla/web"
)

const (
	opID  = "op-001"
	opPIN = "246810"
)

// repoRoot is two directories up from this file.
func repoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// kiosk is the kiosk API over fakes on a real loopback listener.
type kiosk struct {
	e       *session.Engine
	consent *sessiontest.Consent
	srv     *kioskapi.Server
	hs      *httptest.Server
	alloc   *sessiontest.Allocator
	face    *sessiontest.Face
	finger  *sessiontest.Finger
	ver     *sessiontest.Verifier
	url     string
}

func newKiosk(t testing.TB, mod func(*session.Opts)) *kiosk {
	t.Helper()
	return newKioskWith(t, mod, sessiontest.Credentials{}, kioskapi.Brand{})
}

// newKioskWith is newKiosk with a credential validator and a brand.
func newKioskWith(t testing.TB, mod func(*session.Opts), creds session.CredentialValidator, brand kioskapi.Brand) *kiosk {
	t.Helper()
	k := &kiosk{alloc: &sessiontest.Allocator{}, ver: &sessiontest.Verifier{}, consent: &sessiontest.Consent{}}
	k.face = &sessiontest.Face{Alloc: k.alloc, Pace: 60 * time.Millisecond}
	k.finger = &sessiontest.Finger{Alloc: k.alloc, Pace: 60 * time.Millisecond}
	o := session.DefaultOpts()
	o.Notices = web.Notices()
	o.Log = slog.New(slog.DiscardHandler)
	o.Timeouts.Answer = 4 * time.Second
	if mod != nil {
		mod(o)
	}
	e, err := session.New(session.Ports{Consent: k.consent, Credentials: creds,
		Face: k.face, Finger: k.finger, Preview: sessiontest.Preview{}, Verifier: k.ver, Alloc: k.alloc}, o)
	if err != nil {
		t.Fatal(err)
	}
	hash, err := operator.HashPIN(opPIN, operator.Params{Memory: 64, Time: 1, Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	ao := operator.DefaultOpts()
	ao.MinInterval = 0 // the lockout test makes its wrong attempts back to back
	auth, err := operator.New(map[string]string{opID: hash}, ao)
	if err != nil {
		t.Fatal(err)
	}
	k.e = e
	k.srv, err = kioskapi.New(e, auth, &kioskapi.Opts{UI: web.UI(), Preview: true, Log: o.Log, Brand: brand})
	if err != nil {
		t.Fatal(err)
	}
	k.hs = httptest.NewUnstartedServer(nil)
	k.hs.Config = k.srv.HTTPServer() // the daemon's timeouts, peer uid and connection cap
	k.hs.Listener = k.srv.Limit(k.hs.Listener)
	k.hs.Start()
	k.url = strings.Replace(k.hs.URL, "127.0.0.1", "localhost", 1)
	t.Cleanup(func() { k.srv.Close(); k.hs.Close(); e.Close() })
	return k
}

// chromium finds Debian's browser, or skips.
func chromium(t testing.TB) string {
	for _, p := range []string{os.Getenv("VENTANILLA_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if p == "" {
			continue
		}
		if _, err := exec.LookPath(p); err == nil {
			return p
		}
	}
	testenv.Require(t, "chromium (scripts/deps.sh installs the Debian package)", exec.ErrNotFound)
	return ""
}

// browser starts a headless Chromium with a fresh profile; the closed
// network here refuses its background connections, so they are off.
func browser(t testing.TB) context.Context {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium(t)),
		chromedp.Headless, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("mute-audio", true),
		chromedp.WindowSize(1280, 1024),
	}
	if os.Geteuid() == 0 {
		opts = append(opts, chromedp.NoSandbox)
	}
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel2 := chromedp.NewContext(actx)
	t.Cleanup(cancel2)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// tab opens a new tab for one test, with a deadline so a missing element
// fails the test instead of hanging it, and a screenshot on failure.
func tab(t *testing.T, bctx context.Context) context.Context {
	t.Helper()
	ctx, cancel := chromedp.NewContext(bctx)
	ctx, cancel2 := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(func() {
		if t.Failed() {
			screenshot(t, ctx)
		}
		cancel2()
		cancel()
	})
	return ctx
}

// shot saves the current screen (synthetic data only) for a person to
// look at; VENTANILLA_E2E_SHOTS=1 turns it on.
func shot(t *testing.T, ctx context.Context, name string) {
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Logf("screenshot: %v", err)
		return
	}
	dir := filepath.Join(repoRoot(), "testdata-out", "e2e", "screens")
	if os.MkdirAll(dir, 0o755) == nil {
		_ = os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644)
	}
}

func screenshot(t *testing.T, ctx context.Context) {
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	png, err := chromedp.Run(sctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Logf("screenshot: %v", err)
		return
	}
	dir := filepath.Join(repoRoot(), "testdata-out", "e2e")
	name := filepath.Join(dir, strings.NewReplacer("/", "_", " ", "_").Replace(t.Name())+".png")
	if err := os.MkdirAll(dir, 0o755); err == nil {
		if err := os.WriteFile(name, png, 0o644); err == nil {
			t.Logf("screenshot of the failure: %s", name)
		}
	}
}

// run runs actions, failing the test with the step's name.
func run(t *testing.T, ctx context.Context, step string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, actions...); err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			err = errors.New("timed out waiting (see the screenshot)")
		}
		t.Fatalf("%s: %v", step, err)
	}
}

// textOf returns an element's text content.
func textOf(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.TextContent(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("read %s: %v", sel, err)
	}
	return s
}

// waitText waits until the element's text contains want.
func waitText(sel, want string) chromedp.Action[chromedp.Void] {
	js := `(function(){const e=document.querySelector(` + quote(sel) + `);return !!e && e.textContent.includes(` + quote(want) + `);})()`
	return chromedp.Poll[chromedp.Void](js, chromedp.WithPollingInterval(5*time.Millisecond),
		chromedp.WithPollingTimeout(60*time.Second))
}

func quote(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}
