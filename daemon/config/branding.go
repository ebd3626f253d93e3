package config

import (
	"math"
	"strconv"
	"unicode"
	"unicode/utf8"
)

// Branding is the municipality's look on the kiosk screen (issue 13,
// finding 8). The default is sober: no name, no logo, the navy and ochre
// of configs/ventanilla.toml's comments.
type Branding struct {
	// Name is the municipality's name in the screen's header ("" for none).
	Name string `toml:"name"`
	// Logo is a PNG or SVG file (≤ MaxLogoBytes) shown in the header.
	Logo string `toml:"logo"`
	// Primary colours the header and the buttons (white text on it): it
	// must contrast at least 4.5:1 with white (WCAG 2 AA).
	Primary string `toml:"primary"`
	// Accent colours the stripe under the header (decoration only).
	Accent string `toml:"accent"`
}

// MaxLogoBytes bounds the logo file.
const MaxLogoBytes = 256 << 10

var colourRE = lazyRegexp(`^#[0-9a-fA-F]{6}$`)

func defaultBranding() Branding { return Branding{Primary: "#0b3d91", Accent: "#c9a227"} }

func (c *Config) validateBranding() error {
	b := c.Branding
	if utf8.RuneCountInString(b.Name) > 80 || !utf8.ValidString(b.Name) {
		return invalid("branding.name", "at most 80 characters of UTF-8")
	}
	for _, r := range b.Name {
		if unicode.IsControl(r) {
			return invalid("branding.name", "no control characters")
		}
	}
	for _, f := range []struct{ key, v string }{{"branding.primary", b.Primary}, {"branding.accent", b.Accent}} {
		if !colourRE().MatchString(f.v) {
			return invalid(f.key, "%q is not a colour #rrggbb", f.v)
		}
	}
	if r := ContrastWithWhite(b.Primary); r < 4.5 {
		return invalid("branding.primary", "%s contrasts %.2f:1 with the white text on it; at least 4.5:1 is needed (a darker shade)", b.Primary, r)
	}
	return nil
}

// ContrastWithWhite is the WCAG 2 contrast ratio of colour #rrggbb
// against white (1 to 21).
func ContrastWithWhite(hex string) float64 {
	l := 0.0
	for i, w := range []float64{0.2126, 0.7152, 0.0722} {
		v, _ := strconv.ParseUint(hex[1+2*i:3+2*i], 16, 8)
		s := float64(v) / 255
		if s <= 0.04045 {
			s /= 12.92
		} else {
			s = math.Pow((s+0.055)/1.055, 2.4)
		}
		l += w * s
	}
	return 1.05 / (l + 0.05)
}
