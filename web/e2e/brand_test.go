package e2e

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/ventanilla-mx/ventanilla/session/kioskapi"
	"github.com/ventanilla-mx/ventanilla/session/sessiontest"
)

// A synthetic coat of arms (ours): a shield with a bar.
const brandLogo = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 48"><path d="M2 2h36v22c0 12-9 19-18 22C11 43 2 36 2 24z" fill="#5a1846"/><rect x="8" y="18" width="24" height="6" fill="#fff"/></svg>`

// TestBrandingShown (issue 13, finding 8): the municipality's name, logo
// and colour appear in the header and the buttons, and the page stays
// accessible; without branding the header shows neither name nor logo.
func TestBrandingShown(t *testing.T) {
	b := browser(t)
	k := newKioskWith(t, nil, sessiontest.Credentials{}, kioskapi.Brand{Name: "Municipio de Ejemplo", Logo: []byte(brandLogo), Primary: "#5a1846", Accent: "#e0b000"})
	ctx := tab(t, b)
	run(t, ctx, "open the branded page", chromedp.Navigate(k.url+"/"), chromedp.WaitVisible(css("#op-id")),
		waitText("#brand-name", "Municipio de Ejemplo"),
		chromedp.Poll[chromedp.Void](`(function(){const i=document.getElementById('brand-logo');return !i.hidden && i.naturalWidth>0;})()`,
			chromedp.WithPollingInterval(20*time.Millisecond), chromedp.WithPollingTimeout(10*time.Second)))
	got, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[getComputedStyle(document.querySelector('.bar')).backgroundColor, getComputedStyle(document.getElementById('login-go')).backgroundColor]`))
	if err != nil || got[0] != "rgb(90, 24, 70)" || got[1] != "rgb(90, 24, 70)" {
		t.Fatalf("header and button colours %v (%v), want the municipality's rgb(90, 24, 70)", got, err)
	}
	axe(t, ctx, "branded welcome")
	plain := newKiosk(t, nil)
	ctx2 := tab(t, b)
	run(t, ctx2, "open the default page", chromedp.Navigate(plain.url+"/"), chromedp.WaitVisible(css("#op-id")))
	shown, err := chromedp.Run(ctx2, chromedp.Evaluate[string](`document.getElementById('brand-name').textContent + (document.getElementById('brand-logo').hidden ? '' : 'logo')`))
	if err != nil || shown != "" {
		t.Fatalf("the default header shows %q (%v)", shown, err)
	}
}
