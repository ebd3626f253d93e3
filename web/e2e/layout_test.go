package e2e

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// kioskSize is a screen the kiosk UI must fit (issue 13, finding 5).
type kioskSize struct {
	name string
	w, h int64
}

// kioskSizes: the usual portrait kiosk panel, full HD and the smallest
// common laptop screen.
var kioskSizes = []kioskSize{{"1080x1920", 1080, 1920}, {"1920x1080", 1920, 1080}, {"1366x768", 1366, 768}}

// shotsEnv names the directory `make screenshots` keeps the PNGs in.
const shotsEnv = "VENTANILLA_SCREENSHOTS"

// TestKioskLayouts walks every screen at the three sizes: on each, the
// primary action and the current feedback are displayed, inside the
// viewport and not covered by anything; every new screen starts at the
// top; axe-core finds nothing serious. It saves a screenshot of every
// screen (into $VENTANILLA_SCREENSHOTS, or a temporary directory) and
// checks each is a PNG of the viewport's size.
func TestKioskLayouts(t *testing.T) {
	dir := os.Getenv(shotsEnv)
	if dir == "" {
		dir = t.TempDir()
	}
	b := browser(t)
	for _, sz := range kioskSizes {
		t.Run(sz.name, func(t *testing.T) { walkScreens(t, b, sz, dir) })
	}
}

// screen checks one screen: the boxes, the scroll position when new, the
// accessibility rules, and a screenshot.
type screen struct {
	t    *testing.T
	ctx  context.Context
	sz   kioskSize
	dir  string
	n    int
	seen []string
}

func (s *screen) check(name string, fresh bool, sels ...string) {
	s.t.Helper()
	s.n++
	if fresh {
		atTop(s.t, s.ctx, name)
	}
	inView(s.t, s.ctx, name, sels...)
	axe(s.t, s.ctx, name+" at "+s.sz.name)
	file := filepath.Join(s.dir, fmt.Sprintf("%s-%02d-%s.png", s.sz.name, s.n, name))
	saveViewport(s.t, s.ctx, file, s.sz)
	s.seen = append(s.seen, name)
}

// leave scrolls the current screen to its end, so that the next one
// must reset the scroll position itself.
func (s *screen) leave() {
	run(s.t, s.ctx, "scroll to the end before leaving",
		chromedp.Evaluate[chromedp.Void](`(function(){const m=document.getElementById('main');m.scrollTop=m.scrollHeight;window.scrollTo(0,document.body.scrollHeight);})()`))
}

func walkScreens(t *testing.T, b context.Context, sz kioskSize, dir string) {
	k := newKiosk(t, nil)
	ctx := tab(t, b)
	s := &screen{t: t, ctx: ctx, sz: sz, dir: dir}
	run(t, ctx, "viewport "+sz.name, chromedp.EmulateViewport(sz.w, sz.h),
		chromedp.Navigate(k.url+"/"), chromedp.WaitVisible(css("#op-id")))
	s.check("welcome-login", true, "#op-id", "#op-pin", "#login-go")
	run(t, ctx, "log in with nothing typed", chromedp.Click(css("#login-go")), chromedp.WaitVisible(css("#op-id-err")))
	s.check("login-missing", false, "#op-id", "#op-id-err", "#login-go")
	run(t, ctx, "log in",
		chromedp.SendKeys(css("#op-id"), opID), chromedp.SendKeys(css("#op-pin"), opPIN),
		chromedp.Click(css("#login-go")), chromedp.WaitVisible(css("#start")))
	s.check("welcome-ready", false, "#start")
	run(t, ctx, "start", chromedp.Click(css("#start")), waitText("#notice-text", "AVISO DE PRIVACIDAD"))
	s.check("notice", true, "#notice-text", "#notice-accept", "#s-notice [data-abort]")
	run(t, ctx, "read to the end",
		chromedp.Evaluate[chromedp.Void](`(function(){const e=document.getElementById('notice-text');e.scrollTop=e.scrollHeight;})()`),
		chromedp.WaitEnabled(css("#notice-accept")))
	s.leave()
	run(t, ctx, "accept", chromedp.Click(css("#notice-accept")), chromedp.WaitVisible(css("#sig")))
	s.check("signature", true, "#sig", "#sig-send", "#typed-phrase", "#typed-send", "#typed-note", "#typed")
	sign(t, ctx)
	s.leave()
	run(t, ctx, "send the signature", chromedp.Click(css("#sig-send")), chromedp.WaitVisible(css("#model-E")))
	s.check("credential", true, "#model-E", "#cred-send")
	run(t, ctx, "a wrong CIC",
		chromedp.Click(css("#model-E")), chromedp.WaitVisible(css("#f-cic")),
		chromedp.SendKeys(css("#f-cic"), "12345"), chromedp.SendKeys(css("#f-identificadorCiudadano"), "987654321"),
		chromedp.Click(css("#cred-send")), chromedp.WaitVisible(css("#f-cic-err")))
	s.check("credential-error", false, "#f-cic", "#f-cic-err", "#cred-send")
	s.leave()
	run(t, ctx, "the right CIC",
		chromedp.Evaluate[chromedp.Void](`document.getElementById('f-cic').value=''`),
		chromedp.SendKeys(css("#f-cic"), "123456789"), chromedp.Click(css("#cred-send")), chromedp.WaitVisible(css("#s-biometrics")))
	s.check("biometrics", true, "#chips", "#face-go", "#finger-go", "#finger-sel", "#submit")
	k.face.Pace = 700 * time.Millisecond // long enough to look at the screen
	s.leave()
	run(t, ctx, "face capture", chromedp.Click(css("#face-go")), chromedp.WaitVisible(css("#s-face")), waitText("#face-prompt", "Mire"))
	s.check("face", true, ".preview", "#face-prompt", "#s-face [data-cancel-capture]")
	run(t, ctx, "face done", chromedp.WaitVisible(css("#s-biometrics")), waitText("#face-status", "Fotografía lista"))
	s.check("biometrics-face-done", true, "#face-status", "#submit")
	k.finger.Pace = 700 * time.Millisecond
	s.leave()
	run(t, ctx, "finger capture", chooseFinger(7), chromedp.Click(css("#finger-go")), chromedp.WaitVisible(css("#s-finger")),
		waitText("#finger-prompt", "dedo"))
	s.check("finger", true, ".finger-art", "#finger-prompt", "#s-finger [data-cancel-capture]")
	run(t, ctx, "finger done", chromedp.WaitVisible(css("#s-biometrics")), waitText("#finger-status", "índice izquierdo"))
	s.check("biometrics-both-done", false, "#chip-finger", "#finger-status", "#submit")
	k.ver.Delay = 1500 * time.Millisecond
	s.leave()
	run(t, ctx, "submit", chromedp.Click(css("#submit")), chromedp.WaitVisible(css("#s-submitting")))
	s.check("submitting", true, "#h-sending", ".progress")
	run(t, ctx, "answer", chromedp.WaitVisible(css("#s-answer")), waitText("#answer-title", "Credencial verificada"),
		chromedp.WaitVisible(css("#answer-receipt")))
	s.check("answer", true, "#answer-title", "#answer-receipt", "#finish")
	if len(s.seen) != 14 {
		t.Fatalf("walked %d screens: %v", len(s.seen), s.seen)
	}
}

// chooseFinger picks finger n in the finger select, as the keyboard does.
func chooseFinger(n int) chromedp.Action[chromedp.Void] {
	return chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(function(){const s=document.getElementById('finger-sel');s.value='%d';s.dispatchEvent(new Event('change'));})()`, n))
}

// inView fails unless every selector's element is displayed, lies inside
// the viewport, is what the screen shows near its top and at its bottom
// edge, and no sticky button bar overlaps its box (at 1366x768 the
// keyboard-consent box ran under the button bar: its top was visible).
func inView(t *testing.T, ctx context.Context, screen string, sels ...string) {
	t.Helper()
	js := `(function(sels){const out=[];for(const s of sels){const e=document.querySelector(s);
if(!e){out.push(s+': missing');continue}
const r=e.getBoundingClientRect();
if(r.width<1||r.height<1){out.push(s+': not displayed');continue}
if(r.top<0||r.left<0||r.bottom>innerHeight+0.5||r.right>innerWidth+0.5){out.push(s+': box ['+[r.left,r.top,r.right,r.bottom].map(Math.round).join(', ')+'] outside the '+innerWidth+'x'+innerHeight+' viewport');continue}
for(const y of [r.top+Math.min(r.height/2,20),r.bottom-Math.min(r.height/2,3)]){
const c=document.elementFromPoint(r.left+r.width/2,y);
if(!c||!(e.contains(c)||c.contains(e))){out.push(s+': covered by '+(c?c.tagName+'#'+c.id+'.'+c.className:'nothing')+' at y '+Math.round(y));break}}
for(const a of document.querySelectorAll('.actions')){if(a.contains(e)||e.contains(a)||getComputedStyle(a).position!=='sticky')continue;
const q=a.getBoundingClientRect();if(q.height<1)continue;
if(q.top<r.bottom-0.5&&q.bottom>r.top+0.5&&q.left<r.right&&q.right>r.left)out.push(s+': box bottom '+Math.round(r.bottom)+' runs under the button bar at '+Math.round(q.top))}}
return out})(` + jsList(sels) + `)`
	bad, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](js))
	if err != nil {
		t.Fatalf("%s: %v", screen, err)
	}
	for _, b := range bad {
		t.Errorf("%s screen: %s", screen, b)
	}
}

// atTop fails unless the page and its scrolling area are at the top.
func atTop(t *testing.T, ctx context.Context, screen string) {
	t.Helper()
	pos, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](`[window.scrollY, document.getElementById('main').scrollTop]`))
	if err != nil {
		t.Fatal(err)
	}
	if pos[0] != 0 || pos[1] != 0 {
		t.Errorf("%s screen does not start at the top: window at %v, main at %v", screen, pos[0], pos[1])
	}
}

func jsList(l []string) string {
	q := make([]string, len(l))
	for i, s := range l {
		q[i] = quote(s)
	}
	return "[" + strings.Join(q, ",") + "]"
}

// saveViewport writes what the screen shows to file and checks it is a
// PNG of the viewport's size.
func saveViewport(t *testing.T, ctx context.Context, file string, sz kioskSize) {
	t.Helper()
	b, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(b))
	if err != nil || int64(cfg.Width) != sz.w || int64(cfg.Height) != sz.h {
		t.Fatalf("screenshot %s: %dx%d (%v), want %dx%d", file, cfg.Width, cfg.Height, err, sz.w, sz.h)
	}
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, b, 0o644); err != nil {
		t.Fatal(err)
	}
}
