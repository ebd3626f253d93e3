package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/goreleaser/nfpm/v2"
	_ "github.com/goreleaser/nfpm/v2/deb" // registers the deb packager
)

// FileName is the conventional name of the package file.
func FileName(version, arch string) string {
	return fmt.Sprintf("%s_%s_%s.deb", pkgName, version, arch)
}

// Build writes the package into outDir and returns its path. depends are
// the runtime dependencies (see Depends).
func Build(s *Spec, depends []string, outDir string) (string, error) {
	if err := CheckDebVersion(s.Version); err != nil {
		return "", err
	}
	info, err := s.Info(depends)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return "", err
	}
	return writeDeb(info, filepath.Join(outDir, FileName(s.Version, s.Arch)))
}

// writeDeb packages info as a .deb at path, atomically (a temporary file
// in the same directory, renamed when complete).
func writeDeb(info *nfpm.Info, path string) (string, error) {
	pkger, err := nfpm.Get("deb")
	if err != nil {
		return "", err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".mkdeb-*")
	if err != nil {
		return "", err
	}
	defer os.Remove(tmp.Name())
	if err := pkger.Package(info, tmp); err != nil {
		tmp.Close()
		return "", fmt.Errorf("nfpm: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return "", err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return "", err
	}
	return path, os.Rename(tmp.Name(), path)
}

// BuildWithDeps computes the dependencies of the binaries in s.BinDir and
// builds the package.
func BuildWithDeps(s *Spec, outDir string) (string, error) {
	bins, err := binaries(s.BinDir)
	if err != nil {
		return "", err
	}
	var paths []string
	for _, b := range bins {
		paths = append(paths, filepath.Join(s.BinDir, b.name))
	}
	shlibs, err := ShlibDepends(paths)
	if err != nil {
		return "", err
	}
	return Build(s, Depends(shlibs), outDir)
}

// goBuildArgs are the flags the packaged commands are built with: as
// `make build`, plus a position-independent executable with full RELRO
// and immediate binding (ASLR for the daemon's own code; the GOT read-only
// after start), which is what lintian's hardening checks look for.
func goBuildArgs(describe, outDir string) []string {
	ldflags := "-s -w -X github.com/ventanilla-mx/ventanilla/daemon.Version=" + describe + " -X main.version=" + describe +
		" -linkmode=external -extldflags=-Wl,-z,relro,-z,now"
	return []string{"build", "-trimpath", "-buildmode=pie", "-ldflags", ldflags, "-o", outDir + "/", "./cmd/..."}
}

// BuildBinaries builds every command under root/cmd into outDir.
func BuildBinaries(root, describe, outDir string) error {
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return err
	}
	cmd := exec.Command("go", goBuildArgs(describe, outDir)...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "GOFLAGS=-buildvcs=false")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build ./cmd/...: %w\n%s", err, out)
	}
	return nil
}
