package kioskapi

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/ventanilla-mx/ventanilla/session"
	"github.com/ventanilla-mx/ventanilla/session/operator"
	"github.com/ventanilla-mx/ventanilla/session/sessiontest"
)

const testLogo = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="10" height="10" fill="#063"/></svg>`

// TestBrandServed (issue 13, finding 8): the municipality's name is in the
// page (escaped), its colours in /brand.css and its logo at /brand/logo,
// all under the API's CSP; a colour that could break out of the
// stylesheet or a logo that is neither PNG nor SVG is refused.
func TestBrandServed(t *testing.T) {
	ui := fstest.MapFS{
		"index.html": {Data: []byte(`<meta name="ventanilla-token" content="` + TokenPlaceholder + `"><span>` + BrandPlaceholder + `</span>`)},
	}
	o := session.DefaultOpts()
	o.Notices = []session.Notice{testNotice}
	e, err := session.New(session.Ports{Consent: &sessiontest.Consent{}, Credentials: sessiontest.Credentials{},
		Verifier: &sessiontest.Verifier{}, Alloc: &sessiontest.Allocator{}, Finger: &sessiontest.Finger{}}, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Close)
	auth, err := operator.New(nil, operator.DefaultOpts())
	if err != nil {
		t.Fatal(err)
	}
	brand := Brand{Name: `Municipio de <Prueba> & "Anexas"`, Logo: []byte(testLogo), Primary: "#123456", Accent: "#abcdef"}
	srv, err := New(e, auth, &Opts{UI: ui, Brand: brand})
	if err != nil {
		t.Fatal(err)
	}
	hs := serve(srv)
	t.Cleanup(func() { srv.Close(); hs.Close() })
	get := func(path string) (string, http.Header) {
		r, err := http.Get(hs.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Body.Close()
		b, _ := io.ReadAll(r.Body)
		if r.StatusCode != 200 {
			t.Fatalf("GET %s: %d %s", path, r.StatusCode, b)
		}
		return string(b), r.Header
	}
	page, _ := get("/")
	if !strings.Contains(page, `Municipio de &lt;Prueba&gt; &amp; &#34;Anexas&#34;`) || strings.Contains(page, "<Prueba>") {
		t.Fatalf("name not escaped into the page: %s", page)
	}
	css, h := get("/brand.css")
	if !strings.Contains(css, "--brand: #123456;") || !strings.Contains(css, "--accent: #abcdef;") || !strings.HasPrefix(h.Get("Content-Type"), "text/css") {
		t.Fatalf("brand.css %q (%s)", css, h.Get("Content-Type"))
	}
	logo, h := get("/brand/logo")
	if logo != testLogo || h.Get("Content-Type") != "image/svg+xml" || !strings.Contains(h.Get("Content-Security-Policy"), "default-src 'none'") {
		t.Fatalf("logo %q %v", logo, h)
	}
	for _, bad := range []Brand{{Primary: "red;} body{display:none"}, {Accent: "#12345"}, {Logo: []byte("GIF89a")}} {
		if _, err := New(e, auth, &Opts{UI: ui, Brand: bad}); err == nil {
			t.Errorf("brand %+v accepted", bad)
		}
	}
	// The sober default: no name, no logo, no colour override.
	plain, err := New(e, auth, &Opts{UI: ui})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(plain.index), BrandPlaceholder) || strings.Contains(string(plain.brandCSS), "--brand") {
		t.Fatalf("default brand: %s / %s", plain.index, plain.brandCSS)
	}
}
