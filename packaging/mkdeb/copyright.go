package main

import (
	"bytes"
	"debug/buildinfo"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
)

const copyrightHead = `Ventanilla
Homepage: ` + pkgHomepage + `

Copyright: the Ventanilla authors. All rights reserved unless a license file
in the source repository says otherwise.

The commands in this package are Go programs. They embed the Go standard
library (BSD-3-Clause, Copyright The Go Authors) and the Go modules listed
below, each under its own license, reproduced here from the module's source.
C libraries they link dynamically (OpenCV, SQLite, glibc) come from their own
Debian packages, with their own copyright files.
`

// module is one Go module linked into a command.
type module struct{ path, version string }

// linkedModules reads the Go build information of each binary (what
// `go version -m` prints) and returns the modules they embed, sorted.
func linkedModules(paths []string) ([]module, error) {
	seen := map[module]bool{}
	for _, p := range paths {
		bi, err := buildinfo.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("copyright: build info of %s: %w", filepath.Base(p), err)
		}
		for _, d := range bi.Deps {
			if d.Replace != nil {
				d = d.Replace
			}
			seen[module{d.Path, d.Version}] = true
		}
	}
	mods := make([]module, 0, len(seen))
	for m := range seen {
		mods = append(mods, m)
	}
	sort.Slice(mods, func(i, j int) bool { return mods[i].path < mods[j].path })
	return mods, nil
}

// moduleDir asks the go command where a module's source is (downloading
// it into the module cache if needed).
func moduleDir(root string, m module) (string, error) {
	cmd := exec.Command("go", "mod", "download", "-json", m.path+"@"+m.version)
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("copyright: go mod download %s@%s: %w", m.path, m.version, err)
	}
	var info struct{ Dir, Error string }
	if err := json.Unmarshal(out, &info); err != nil || info.Dir == "" {
		return "", fmt.Errorf("copyright: no source for %s@%s: %s", m.path, m.version, info.Error)
	}
	return info.Dir, nil
}

// licenseText returns the license files at the top of a module's source.
func licenseText(dir string) (string, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for _, e := range ents {
		up := strings.ToUpper(e.Name())
		if e.IsDir() || !(strings.HasPrefix(up, "LICEN") || strings.HasPrefix(up, "COPYING") || up == "NOTICE") {
			continue
		}
		text, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return "", err
		}
		fmt.Fprintf(&b, "--- %s\n%s\n", e.Name(), commonLicense(bytes.TrimSpace(text)))
	}
	if b.Len() == 0 {
		return "", fmt.Errorf("no LICENSE or COPYING file in %s", dir)
	}
	return b.String(), nil
}

// commonLicense replaces the full text of a license Debian ships in
// /usr/share/common-licenses by a reference to it (Debian Policy 12.5).
// The copyright notices that precede an appendix are kept.
func commonLicense(text []byte) []byte {
	if bytes.Contains(text, []byte("Apache License")) && bytes.Contains(text, []byte("Version 2.0, January 2004")) &&
		bytes.Contains(text, []byte("TERMS AND CONDITIONS FOR USE")) {
		return []byte("Apache-2.0: the full text is in /usr/share/common-licenses/Apache-2.0")
	}
	return text
}

// writeCopyright writes /usr/share/doc/ventanilla/copyright: the project's
// notice and the license of every Go module the binaries embed.
func (s *Spec) writeCopyright(bins []binary) (string, error) {
	var paths []string
	for _, b := range bins {
		paths = append(paths, filepath.Join(s.BinDir, b.name))
	}
	mods, err := linkedModules(paths)
	if err != nil {
		return "", err
	}
	var w strings.Builder
	w.WriteString(copyrightHead)
	for _, m := range mods {
		dir, err := moduleDir(s.Root, m)
		if err != nil {
			return "", err
		}
		text, err := licenseText(dir)
		if err != nil {
			return "", fmt.Errorf("copyright: %s@%s: %w", m.path, m.version, err)
		}
		fmt.Fprintf(&w, "\n=== %s %s\n%s", m.path, m.version, text)
	}
	path := filepath.Join(s.Work, "copyright")
	return path, os.WriteFile(path, []byte(w.String()), 0o644)
}
