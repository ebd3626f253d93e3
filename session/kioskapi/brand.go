package kioskapi

import (
	"bytes"
	"fmt"
	"html"
	"net/http"
	"regexp"
)

// Brand is the municipality's look on the kiosk screen (issue 13, finding
// 8): its name in the header, its logo, and two colours. The zero Brand
// is the sober default (no name, no logo, the stylesheet's colours).
type Brand struct {
	Name    string // shown in the header, HTML-escaped
	Logo    []byte // PNG or SVG; nil for none
	Primary string // "#rrggbb": header and buttons (white text on it)
	Accent  string // "#rrggbb": the stripe under the header
}

// BrandPlaceholder is replaced in index.html by the escaped Brand.Name.
const BrandPlaceholder = "{{BRAND_NAME}}"

var colourRE = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)

// LogoType returns the content type of a logo: image/png, image/svg+xml,
// or "" for anything else.
func LogoType(b []byte) string {
	if bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")) {
		return "image/png"
	}
	head := bytes.TrimSpace(b[:min(len(b), 512)])
	if bytes.HasPrefix(head, []byte("<svg")) || (bytes.HasPrefix(head, []byte("<?xml")) && bytes.Contains(b, []byte("<svg"))) {
		return "image/svg+xml"
	}
	return ""
}

func (b *Brand) check() error {
	for _, c := range []string{b.Primary, b.Accent} {
		if c != "" && !colourRE.MatchString(c) {
			return fmt.Errorf("kioskapi: brand colour %q is not #rrggbb", c)
		}
	}
	if b.Logo != nil && LogoType(b.Logo) == "" {
		return fmt.Errorf("kioskapi: brand logo is neither PNG nor SVG")
	}
	return nil
}

// css is the stylesheet that overrides the default colours.
func (b *Brand) css() []byte {
	var w bytes.Buffer
	w.WriteString("/* Municipal branding (config [branding]). */\n:root {")
	if b.Primary != "" {
		fmt.Fprintf(&w, " --brand: %s;", b.Primary)
	}
	if b.Accent != "" {
		fmt.Fprintf(&w, " --accent: %s;", b.Accent)
	}
	w.WriteString(" }\n")
	return w.Bytes()
}

func (b *Brand) fill(index []byte) []byte {
	return bytes.ReplaceAll(index, []byte(BrandPlaceholder), []byte(html.EscapeString(b.Name)))
}

func (s *Server) serveBrandCSS(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	_, _ = w.Write(s.brandCSS)
}

// serveLogo serves the configured logo. An SVG is only ever an <img> or
// a document under the API's CSP (default-src 'none'): it runs nothing.
func (s *Server) serveLogo(w http.ResponseWriter, r *http.Request) {
	if s.o.Brand.Logo == nil {
		writeError(w, http.StatusNotFound, "not_found", "no logo configured")
		return
	}
	w.Header().Set("Content-Type", LogoType(s.o.Brand.Logo))
	_, _ = w.Write(s.o.Brand.Logo)
}
