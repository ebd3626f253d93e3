package main

import (
	"fmt"
	"regexp"
	"strings"
	"time"
)

// describeRE splits `git describe --tags --always --dirty` output:
// an optional tag with commits since it, or a bare abbreviated hash.
var describeRE = regexp.MustCompile(`^(?:v?([0-9]+\.[0-9A-Za-z.]*?)(?:-(rc|alpha|beta)\.?([0-9]+))?-([0-9]+)-g([0-9a-f]+)|v?([0-9]+\.[0-9A-Za-z.]*?)(?:-(rc|alpha|beta)\.?([0-9]+))?|([0-9a-f]{4,40}))(-dirty)?$`)

// debVersionRE is what dpkg accepts as an upstream version without epoch or
// revision (deb-version(7)): it starts with a digit and has no hyphen, so
// the package is native.
var debVersionRE = regexp.MustCompile(`^[0-9][A-Za-z0-9.+~]*$`)

// DebVersion turns `git describe --tags --always --dirty` output into a
// Debian version that sorts the way releases happen:
//
//	v1.2.3              -> 1.2.3
//	v1.2.3-rc1          -> 1.2.3~rc1                 (before 1.2.3)
//	v1.2.3-4-gabc1234   -> 1.2.3+git4.abc1234        (after 1.2.3, before 1.2.4)
//	abc1234 (no tag)    -> 0.0~git20261101013809.abc1234  (commit time orders builds)
//	...-dirty           -> ...+dirty
//
// commit is the commit's time; it is used only when there is no tag.
func DebVersion(describe string, commit time.Time) (string, error) {
	m := describeRE.FindStringSubmatch(strings.TrimSpace(describe))
	if m == nil {
		return "", fmt.Errorf("version: %q is not `git describe --tags --always --dirty` output; pass -version", describe)
	}
	var v string
	switch {
	case m[1] != "":
		v = m[1] + pre(m[2], m[3]) + "+git" + m[4] + "." + m[5]
	case m[6] != "":
		v = m[6] + pre(m[7], m[8])
	default:
		v = "0.0~git" + commit.UTC().Format("20060102150405") + "." + m[9]
	}
	if m[10] != "" {
		v += "+dirty"
	}
	return v, CheckDebVersion(v)
}

func pre(kind, n string) string {
	if kind == "" {
		return ""
	}
	return "~" + kind + n
}

// CheckDebVersion refuses versions dpkg would refuse or read as non-native.
func CheckDebVersion(v string) error {
	if !debVersionRE.MatchString(v) {
		return fmt.Errorf("version: %q is not a native Debian version (a digit, then letters, digits, '.', '+', '~')", v)
	}
	return nil
}
