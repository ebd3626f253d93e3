package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/goreleaser/nfpm/v2"
	"github.com/goreleaser/nfpm/v2/files"
)

// The municipality's consent archive server (cmd/ventanilla-archive) runs
// on the municipality's server, not on a kiosk, so it has a package of its
// own: the binary, its man page, its unit when present and the operations
// guide. The unit is not enabled on install: it needs
// /etc/ventanilla-archive/archive.env and a database first.
const archivePkg = "ventanilla-archive"

const archiveDescription = `consent archive server for Ventanilla kiosks
 Receives the kiosks' consent logs over mutual TLS, witnesses and
 countersigns their checkpoints, keeps them in PostgreSQL and exports the
 evidence INE requests. It runs on the municipality's server, not on a
 kiosk.`

// ArchiveFileName is the conventional name of the archive package file.
func ArchiveFileName(version, arch string) string {
	return fmt.Sprintf("%s_%s_%s.deb", archivePkg, version, arch)
}

// archiveContents are the files of the archive package; s.Work must be its
// own scratch directory (the copyright file has a fixed name).
func (s *Spec) archiveContents() (files.Contents, error) {
	bin := placeBinary(archivePkg)
	cs, err := s.binaryContents([]binary{bin})
	if err != nil {
		return nil, err
	}
	copyright, err := s.writeCopyright([]binary{bin})
	if err != nil {
		return nil, err
	}
	changelog, err := s.writeGzip("changelog.gz", []byte(s.changelogOf(archivePkg)))
	if err != nil {
		return nil, err
	}
	ops, err := os.ReadFile(filepath.Join(s.Root, "docs", "operations.md"))
	if err != nil {
		return nil, fmt.Errorf("docs: %w", err)
	}
	opsGz, err := s.writeGzip("operations.md.gz", ops)
	if err != nil {
		return nil, err
	}
	doc := "/usr/share/doc/" + archivePkg
	cs = append(cs, content(copyright, doc+"/copyright", "", 0o644), content(changelog, doc+"/changelog.gz", "", 0o644),
		content(opsGz, doc+"/operations.md.gz", "", 0o644))
	if unit := filepath.Join(s.Root, "systemd", archivePkg+".service"); fileExists(unit) {
		cs = append(cs, content(unit, "/usr/lib/systemd/system/"+archivePkg+".service", "", 0o644))
	}
	return cs, nil
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

// BuildArchive writes the archive package into outDir when the archive
// command was built, and returns its path ("" when there is none).
func BuildArchive(s *Spec, outDir string) (string, error) {
	binPath := filepath.Join(s.BinDir, archivePkg)
	if !fileExists(binPath) {
		return "", nil
	}
	shlibs, err := ShlibDepends([]string{binPath})
	if err != nil {
		return "", err
	}
	a := *s
	if a.Work, err = os.MkdirTemp(s.Work, "archive-"); err != nil {
		return "", err
	}
	cs, err := a.archiveContents()
	if err != nil {
		return "", err
	}
	info := nfpm.WithDefaults(&nfpm.Info{
		Name: archivePkg, Arch: s.Arch, Platform: "linux", Version: s.Version, VersionSchema: "none",
		Section: "misc", Priority: "optional", Maintainer: pkgMaintainer, Homepage: pkgHomepage,
		Description: archiveDescription, MTime: s.Date,
		Overridables: nfpm.Overridables{
			Depends: append(shlibs, baseDepends...), Recommends: []string{"postgresql"},
			Contents: cs, Umask: 0o022, Deb: nfpm.Deb{Compression: "gzip"},
		},
	})
	return writeDeb(info, filepath.Join(outDir, ArchiveFileName(s.Version, s.Arch)))
}
