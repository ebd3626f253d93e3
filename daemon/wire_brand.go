package daemon

import (
	"fmt"
	"io"
	"os"

	"github.com/ventanilla-mx/ventanilla/daemon/config"
	"github.com/ventanilla-mx/ventanilla/session/kioskapi"
)

// kioskBrand is the [branding] config for the kiosk screen. A logo that
// cannot be read, is too large or is neither PNG nor SVG is left out
// (the header shows the name alone) and logged: the screen must come up.
func kioskBrand(s *System) kioskapi.Brand {
	b := s.Config.Branding
	out := kioskapi.Brand{Name: b.Name, Primary: b.Primary, Accent: b.Accent}
	if b.Logo == "" {
		return out
	}
	logo, err := readLogo(b.Logo)
	if err != nil {
		s.Log.Warn("branding.logo left out", "path", b.Logo, "err", err)
		return out
	}
	out.Logo = logo
	return out
}

func readLogo(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, config.MaxLogoBytes+1))
	if err != nil {
		return nil, err
	}
	if len(b) > config.MaxLogoBytes {
		return nil, fmt.Errorf("over %d bytes", config.MaxLogoBytes)
	}
	if kioskapi.LogoType(b) == "" {
		return nil, fmt.Errorf("neither PNG nor SVG")
	}
	return b, nil
}
