package config

import (
	"errors"
	"math"
	"strings"
	"testing"
)

// TestBranding (issue 13, finding 8): the municipality's name, logo and
// colours are read; the default is sober; a primary colour the white text
// cannot be read on is refused with the ratio.
func TestBranding(t *testing.T) {
	cfg, err := Parse("/etc/ventanilla/k.toml", []byte("version = 1\n[branding]\nname = \"Municipio de Ejemplo\"\nlogo = \"escudo.svg\"\nprimary = \"#5a1846\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	b := cfg.Branding
	if b.Name != "Municipio de Ejemplo" || b.Primary != "#5a1846" || b.Accent != "#c9a227" {
		t.Errorf("branding = %+v", b)
	}
	if d := Default().Branding; d.Name != "" || d.Logo != "" || d.Primary != "#0b3d91" {
		t.Errorf("default branding = %+v", d)
	}
	tests := []struct{ doc, key, contains string }{
		{"primary = \"#ffd700\"", "branding.primary", "4.5:1"},
		{"primary = \"navy\"", "branding.primary", "#rrggbb"},
		{"accent = \"#12345g\"", "branding.accent", "#rrggbb"},
		{"name = \"" + strings.Repeat("x", 81) + "\"", "branding.name", "80"},
		{"name = \"a\\u0007b\"", "branding.name", "control"},
	}
	for _, tt := range tests {
		_, err := Parse("k.toml", []byte("version = 1\n[branding]\n"+tt.doc+"\n"))
		var ie *InvalidError
		if !errors.As(err, &ie) || ie.Key != tt.key || !strings.Contains(ie.Msg, tt.contains) {
			t.Errorf("%q: err = %v, want key %s containing %q", tt.doc, err, tt.key, tt.contains)
		}
	}
	for hex, want := range map[string]float64{"#000000": 21, "#ffffff": 1, "#0b3d91": 10.04, "#767676": 4.54} {
		if got := ContrastWithWhite(hex); math.Abs(got-want) > 0.01 {
			t.Errorf("contrast of %s = %.2f, want %.2f", hex, got, want)
		}
	}
}
