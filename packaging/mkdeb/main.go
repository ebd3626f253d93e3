// Command mkdeb builds Ventanilla's Debian package (`make deb`) from the
// commands already built into bin/, with nfpm used as a Go library.
//
// It reads the repository (configs/ventanilla.toml, systemd/,
// packaging/udev/*.rules, packaging/scripts/, docs/operations.md), asks
// dpkg-shlibdeps for the shared-library dependencies, generates man pages
// from each command's --help, and writes dist/ventanilla_<version>_<arch>.deb
// and the kiosk screen's dist/ventanilla-kiosk_<version>_all.deb
// (packaging/kiosk, docs/kiosk-display.md).
//
// Its tests (go test in this directory, run by `make test`) check the unit
// with systemd-analyze, the package with lintian, and, as root in CI or
// when VENTANILLA_INSTALL_TEST=1, install, upgrade and purge it for real.
//
// mkdeb must never put a key, a certificate or any state into the package:
// everything it ships is public and identical on every kiosk.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

type options struct {
	root, bin, out, describe, version, arch string
}

func parseFlags(args []string) (*options, error) {
	o := &options{}
	fs := flag.NewFlagSet("mkdeb", flag.ContinueOnError)
	fs.StringVar(&o.root, "root", "../..", "repository root")
	fs.StringVar(&o.bin, "bin", "", "directory holding already built commands (default: build them, hardened, into a scratch directory)")
	fs.StringVar(&o.out, "out", "", "output directory (default <root>/dist)")
	fs.StringVar(&o.describe, "git-describe", "", "`git describe --tags --always --dirty` output to derive the version from (default: run git)")
	fs.StringVar(&o.version, "version", "", "Debian version to use as is, instead of deriving it from git")
	fs.StringVar(&o.arch, "arch", "", "Debian architecture (default: dpkg --print-architecture)")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	return o, nil
}

func main() {
	o, err := parseFlags(os.Args[1:])
	if err != nil {
		os.Exit(2)
	}
	path, err := run(o)
	if err != nil {
		fmt.Fprintln(os.Stderr, "mkdeb:", err)
		os.Exit(1)
	}
	fmt.Println(path)
}

func run(o *options) (string, error) {
	root, err := filepath.Abs(o.root)
	if err != nil {
		return "", err
	}
	s := &Spec{Root: root, BinDir: o.bin, Version: o.version, Arch: o.arch}
	if s.Date, err = sourceDate(root); err != nil {
		return "", err
	}
	if o.describe == "" {
		if o.describe, err = command(root, "git", "describe", "--tags", "--always", "--dirty"); err != nil {
			return "", fmt.Errorf("%w (pass -git-describe and -version)", err)
		}
	}
	if s.Version == "" {
		if s.Version, err = DebVersion(o.describe, s.Date); err != nil {
			return "", err
		}
	}
	if s.Arch == "" {
		if s.Arch, err = command(root, "dpkg", "--print-architecture"); err != nil {
			return "", err
		}
	}
	if s.Work, err = os.MkdirTemp("", "mkdeb-"); err != nil {
		return "", err
	}
	defer os.RemoveAll(s.Work)
	if s.BinDir == "" {
		s.BinDir = filepath.Join(s.Work, "bin")
		if err := BuildBinaries(root, o.describe, s.BinDir); err != nil {
			return "", err
		}
	} else if s.BinDir, err = filepath.Abs(s.BinDir); err != nil {
		return "", err
	}
	out := or(o.out, filepath.Join(root, "dist"))
	path, err := BuildWithDeps(s, out)
	if err != nil {
		return "", err
	}
	kiosk, err := BuildKiosk(s, out)
	if err != nil {
		return "", err
	}
	return path + "\n" + kiosk, nil
}

// sourceDate is SOURCE_DATE_EPOCH when set, else the last commit's time,
// so rebuilding a commit gives the same file times and man page dates.
func sourceDate(root string) (time.Time, error) {
	v := os.Getenv("SOURCE_DATE_EPOCH")
	if v == "" {
		var err error
		if v, err = command(root, "git", "log", "-1", "--format=%ct"); err != nil {
			return time.Time{}, fmt.Errorf("%w (or set SOURCE_DATE_EPOCH)", err)
		}
	}
	sec, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("source date %q: %w", v, err)
	}
	return time.Unix(sec, 0).UTC(), nil
}

func command(dir, name string, args ...string) (string, error) {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("%s %s: %w", name, strings.Join(args, " "), err)
	}
	return strings.TrimSpace(string(out)), nil
}

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
