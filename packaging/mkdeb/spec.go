package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/goreleaser/nfpm/v2"
	"github.com/goreleaser/nfpm/v2/files"
)

// Package identity.
const (
	pkgName       = "ventanilla"
	pkgMaintainer = "Ventanilla maintainers <packaging@ventanilla.mx>"
	pkgHomepage   = "https://github.com/ventanilla-mx/ventanilla"
	docDir        = "/usr/share/doc/" + pkgName
)

const pkgDescription = `identity-verification kiosk daemon for INE credential checks
 Ventanilla runs an in-person identity-verification kiosk at a Mexican
 municipal service counter. With the citizen's prior written consent it
 drives the kiosk's camera and fingerprint scanner, checks that a live person
 is in front of the camera, and sends the voter-credential data plus one
 biometric, end-to-end encrypted, to INE's verification service. It keeps no
 image, fingerprint or answer afterwards; it keeps a tamper-evident record of
 each consent.
 .
 This package holds the daemon (ventanillad) with its hardened systemd unit,
 the capture process it supervises (ventanilla-capture: camera, face and
 liveness, the only program linking OpenCV), the technician's tool
 (ventanillactl), udev rules for the camera and the
 scanner, and the default configuration.`

// Spec is everything one package build needs. Paths are absolute.
type Spec struct {
	Root    string    // repository root
	BinDir  string    // built commands (go build -o BinDir/ ./cmd/...)
	Version string    // Debian version (see DebVersion)
	Arch    string    // Debian architecture, e.g. amd64
	Date    time.Time // file times and man page dates (reproducible builds)
	Work    string    // scratch directory for generated files
}

// binary says where a command goes and how its man page is filed.
type binary struct {
	name    string
	dir     string // /usr/sbin or /usr/bin
	section string // man section
}

// placeBinary puts the daemon in /usr/sbin (administrators start it, users
// do not), the capture process beside it (the daemon starts it from its
// own directory; nobody runs it by hand) and every other command in
// /usr/bin.
func placeBinary(name string) binary {
	if name == "ventanillad" || name == "ventanilla-capture" {
		return binary{name: name, dir: "/usr/sbin", section: "8"}
	}
	return binary{name: name, dir: "/usr/bin", section: "1"}
}

// devOnly are commands that never ship in the production package: ine-sim
// is the reference INE service for tests and demonstrations (issue 17).
var devOnly = []string{"ine-sim"}

// ownPackage are commands that run elsewhere than on a kiosk and are
// packaged apart: ventanilla-archive is the municipality's server (issue
// 14; its unit is systemd/ventanilla-archive.service).
var ownPackage = []string{"ventanilla-archive"}

// binaries lists the production executables in dir, sorted. It is an error
// if the daemon is missing: a package without it is useless.
func binaries(dir string) ([]binary, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("binaries: %w (run `make build` first)", err)
	}
	var bins []binary
	for _, e := range ents {
		info, err := e.Info()
		if err != nil || !info.Mode().IsRegular() || info.Mode().Perm()&0o111 == 0 || slices.Contains(devOnly, e.Name()) ||
			slices.Contains(ownPackage, e.Name()) {
			continue
		}
		bins = append(bins, placeBinary(e.Name()))
	}
	sort.Slice(bins, func(i, j int) bool { return bins[i].name < bins[j].name })
	if !slices.ContainsFunc(bins, func(b binary) bool { return b.name == "ventanillad" }) {
		return nil, fmt.Errorf("binaries: no ventanillad in %s (run `make build` first)", dir)
	}
	return bins, nil
}

// udevRules lists packaging/udev/*.rules: whatever rules exist at build time
// are installed.
func udevRules(root string) ([]string, error) {
	rules, err := filepath.Glob(filepath.Join(root, "packaging", "udev", "*.rules"))
	sort.Strings(rules)
	return rules, err
}

// content builds one nfpm content entry.
func content(src, dst, typ string, mode os.FileMode) *files.Content {
	return &files.Content{Source: src, Destination: dst, Type: typ,
		FileInfo: &files.ContentFileInfo{Mode: mode, Owner: "root", Group: "root"}}
}

// staticContents are the files taken as they are from the repository.
func (s *Spec) staticContents() (files.Contents, error) {
	r := func(p string) string { return filepath.Join(s.Root, p) }
	cs := files.Contents{
		content(r("configs/ventanilla.toml"), "/etc/ventanilla/ventanilla.toml", files.TypeConfigNoReplace, 0o644),
		content(r("systemd/ventanillad.service"), "/usr/lib/systemd/system/ventanillad.service", "", 0o644),
		content(r("systemd/ventanillad.socket"), "/usr/lib/systemd/system/ventanillad.socket", "", 0o644),
		content(r("systemd/ventanilla.sysusers"), "/usr/lib/sysusers.d/ventanilla.conf", "", 0o644),
		content(r("systemd/ventanilla.tmpfiles"), "/usr/lib/tmpfiles.d/ventanilla.conf", "", 0o644),
		{Destination: "/etc/ventanilla", Type: files.TypeDir,
			FileInfo: &files.ContentFileInfo{Mode: 0o755, Owner: "root", Group: "root"}},
	}
	rules, err := udevRules(s.Root)
	if err != nil {
		return nil, err
	}
	for _, rule := range rules {
		cs = append(cs, content(rule, "/usr/lib/udev/rules.d/"+filepath.Base(rule), "", 0o644))
	}
	return cs, nil
}

// binaryContents are the executables and their generated man pages.
func (s *Spec) binaryContents(bins []binary) (files.Contents, error) {
	var cs files.Contents
	for _, b := range bins {
		src := filepath.Join(s.BinDir, b.name)
		cs = append(cs, content(src, b.dir+"/"+b.name, "", 0o755))
		page, err := s.writeManPage(b)
		if err != nil {
			return nil, err
		}
		cs = append(cs, content(page, fmt.Sprintf("/usr/share/man/man%s/%s.%s.gz", b.section, b.name, b.section), "", 0o644))
	}
	return cs, nil
}

// shippedDocs are the pages of docs/ installed as
// /usr/share/doc/ventanilla/<name>.gz: the operations guide and every page
// the shipped config, the man pages and the commands' --help cite
// (TestShippedDocsCoverCitations keeps the list complete).
var shippedDocs = []string{"operations.md", "configuration.md", "consent.md", "kiosk.md", "liveness.md", "camera.md"}

// docContents are the copyright file, the changelog and shippedDocs under
// /usr/share/doc/ventanilla.
func (s *Spec) docContents(bins []binary) (files.Contents, error) {
	copyright, err := s.writeCopyright(bins)
	if err != nil {
		return nil, err
	}
	changelog, err := s.writeGzip("changelog.gz", []byte(s.changelog()))
	if err != nil {
		return nil, err
	}
	cs := files.Contents{
		content(copyright, docDir+"/copyright", "", 0o644),
		content(changelog, docDir+"/changelog.gz", "", 0o644),
	}
	for _, name := range shippedDocs {
		text, err := os.ReadFile(filepath.Join(s.Root, "docs", name))
		if err != nil {
			return nil, fmt.Errorf("docs: %w", err)
		}
		gz, err := s.writeGzip(name+".gz", text)
		if err != nil {
			return nil, err
		}
		cs = append(cs, content(gz, docDir+"/"+name+".gz", "", 0o644))
	}
	return cs, nil
}

// maintainerScripts returns the deb maintainer scripts in packaging/scripts.
func (s *Spec) maintainerScripts() nfpm.Scripts {
	p := func(name string) string { return filepath.Join(s.Root, "packaging", "scripts", name) }
	return nfpm.Scripts{PostInstall: p("postinst"), PreRemove: p("prerm"), PostRemove: p("postrm")}
}

// changelog is the native package's changelog: one entry for this build.
// The project's history is its git log.
func (s *Spec) changelog() string {
	return s.changelogOf(pkgName)
}

// Info assembles the nfpm description of the package; depends are the
// runtime dependencies (see Depends).
func (s *Spec) Info(depends []string) (*nfpm.Info, error) {
	bins, err := binaries(s.BinDir)
	if err != nil {
		return nil, err
	}
	var cs files.Contents
	for _, part := range []func() (files.Contents, error){
		s.staticContents,
		func() (files.Contents, error) { return s.binaryContents(bins) },
		func() (files.Contents, error) { return s.docContents(bins) },
	} {
		more, err := part()
		if err != nil {
			return nil, err
		}
		cs = append(cs, more...)
	}
	info := &nfpm.Info{
		Name: pkgName, Arch: s.Arch, Platform: "linux", Version: s.Version, VersionSchema: "none",
		Section: "misc", Priority: "optional", Maintainer: pkgMaintainer, Homepage: pkgHomepage,
		Description: pkgDescription, MTime: s.Date,
		Overridables: nfpm.Overridables{
			Depends:    depends,
			Recommends: []string{"udev", "systemd-timesyncd | time-daemon"},
			Contents:   cs,
			Umask:      0o022,
			Scripts:    s.maintainerScripts(),
			Deb:        nfpm.Deb{Compression: "gzip"},
		},
	}
	return nfpm.WithDefaults(info), nil
}

// relPaths lists the destinations of contents, for tests and -list.
func relPaths(cs files.Contents) []string {
	var out []string
	for _, c := range cs {
		out = append(out, strings.TrimPrefix(c.Destination, "/"))
	}
	sort.Strings(out)
	return out
}
