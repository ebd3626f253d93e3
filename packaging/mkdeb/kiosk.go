package main

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/goreleaser/nfpm/v2"
	"github.com/goreleaser/nfpm/v2/files"
)

// The kiosk screen package: cage running Chromium in kiosk mode as the
// user ventanilla-kiosk (packaging/kiosk, docs/kiosk-display.md). It holds
// no program of ours, only a unit, two shell scripts and their settings,
// so it is built for every architecture.
const (
	kioskPkg    = "ventanilla-kiosk"
	kioskDocDir = "/usr/share/doc/" + kioskPkg
	kioskLibDir = "/usr/libexec/" + kioskPkg
)

const kioskDescription = `kiosk screen for the Ventanilla identity-verification daemon
 Starts the kiosk's touch screen at boot: the cage Wayland compositor
 running Chromium in kiosk mode (Spanish, es-MX; no address bar, menus or
 gestures) on the Ventanilla daemon's local kiosk page, as the unprivileged
 user ventanilla-kiosk, restarted by systemd whenever it stops. The browser
 profile lives in RAM and is new at every start.`

// kioskDepends: the compositor, the browser with its Spanish strings, the
// PAM module that gives the session its seat, and the daemon it shows.
var kioskDepends = []string{"cage", "chromium", "chromium-l10n", "libpam-systemd", "systemd (>= 248)", pkgName}

// KioskFileName is the conventional name of the kiosk package file.
func KioskFileName(version string) string {
	return fmt.Sprintf("%s_%s_all.deb", kioskPkg, version)
}

// kioskContents are the files of the kiosk package.
func (s *Spec) kioskContents() (files.Contents, error) {
	k := func(p string) string { return filepath.Join(s.Root, "packaging", "kiosk", p) }
	copyright := filepath.Join(s.Work, "kiosk-copyright")
	if err := os.WriteFile(copyright, []byte(kioskCopyright), 0o644); err != nil {
		return nil, err
	}
	changelog, err := s.writeGzip("kiosk-changelog.gz", []byte(s.changelogOf(kioskPkg)))
	if err != nil {
		return nil, err
	}
	doc, err := os.ReadFile(filepath.Join(s.Root, "docs", "kiosk-display.md"))
	if err != nil {
		return nil, fmt.Errorf("docs: %w", err)
	}
	docGz, err := s.writeGzip("kiosk-display.md.gz", doc)
	if err != nil {
		return nil, err
	}
	return files.Contents{
		content(k("ventanilla-kiosk.service"), "/usr/lib/systemd/system/ventanilla-kiosk.service", "", 0o644),
		content(k("ventanilla-kiosk.sysusers"), "/usr/lib/sysusers.d/ventanilla-kiosk.conf", "", 0o644),
		content(k("pam"), "/etc/pam.d/ventanilla-kiosk", files.TypeConfigNoReplace, 0o644),
		content(k("default"), "/etc/default/ventanilla-kiosk", files.TypeConfigNoReplace, 0o644),
		content(k("session"), kioskLibDir+"/session", "", 0o755),
		content(k("browser"), kioskLibDir+"/browser", "", 0o755),
		content(copyright, kioskDocDir+"/copyright", "", 0o644),
		content(changelog, kioskDocDir+"/changelog.gz", "", 0o644),
		content(docGz, kioskDocDir+"/kiosk-display.md.gz", "", 0o644),
	}, nil
}

const kioskCopyright = `Ventanilla kiosk screen
Homepage: ` + pkgHomepage + `

Copyright 2025-2026 the Ventanilla authors. All rights reserved unless a license file
in the source repository says otherwise.

This package holds a systemd unit, a PAM service file, two shell scripts and
their settings. cage and Chromium come from their own Debian packages, with
their own copyright files.
`

// KioskInfo assembles the nfpm description of the kiosk package.
func (s *Spec) KioskInfo() (*nfpm.Info, error) {
	cs, err := s.kioskContents()
	if err != nil {
		return nil, err
	}
	p := func(name string) string { return filepath.Join(s.Root, "packaging", "kiosk", name) }
	info := &nfpm.Info{
		Name: kioskPkg, Arch: "all", Platform: "linux", Version: s.Version, VersionSchema: "none",
		Section: "misc", Priority: "optional", Maintainer: pkgMaintainer, Homepage: pkgHomepage,
		Description: kioskDescription, MTime: s.Date,
		Overridables: nfpm.Overridables{
			Depends:  kioskDepends,
			Contents: cs,
			Umask:    0o022,
			Scripts:  nfpm.Scripts{PostInstall: p("postinst"), PreRemove: p("prerm"), PostRemove: p("postrm")},
			Deb:      nfpm.Deb{Compression: "gzip"},
		},
	}
	return nfpm.WithDefaults(info), nil
}

// BuildKiosk writes the kiosk package into outDir and returns its path.
func BuildKiosk(s *Spec, outDir string) (string, error) {
	info, err := s.KioskInfo()
	if err != nil {
		return "", err
	}
	return writeDeb(info, filepath.Join(outDir, KioskFileName(s.Version)))
}

// changelogOf is a native package's one-entry changelog for this build.
func (s *Spec) changelogOf(pkg string) string {
	return fmt.Sprintf("%s (%s) unstable; urgency=medium\n\n  * Build of %s; see the project's git history.\n\n -- %s  %s\n",
		pkg, s.Version, s.Version, pkgMaintainer, s.Date.UTC().Format(time.RFC1123Z))
}
