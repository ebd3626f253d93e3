// Package testenv decides what a test does when a part it needs (a model
// file, a browser, a device, data fetched by scripts/deps.sh) is missing:
// outside CI it skips with the reason, under CI=true it fails, so a CI run
// cannot go green by skipping.
//
// It must never turn an error other than a missing part into a skip: a
// constructor that fails on a present but broken file is a failure.
package testenv

import (
	"errors"
	"io/fs"
	"os"
	"strconv"
	"testing"
)

// CI reports whether the tests run under CI (CI set to a true value).
func CI() bool {
	v, err := strconv.ParseBool(os.Getenv("CI"))
	return err == nil && v
}

// Require stops the test when err is not nil: what names the missing part.
// Outside CI the test is skipped with the reason; under CI it fails.
func Require(tb testing.TB, what string, err error) {
	tb.Helper()
	if err == nil {
		return
	}
	if CI() {
		tb.Fatalf("%s: %v (required under CI=true)", what, err)
		return
	}
	tb.Skipf("%s: %v (set CI=true to make this a failure)", what, err)
}

// RequireFile is Require for an error from opening or loading a file: only
// a missing file (os.ErrNotExist anywhere in err's chain) may skip, and
// only outside CI. Any other error fails the test.
func RequireFile(tb testing.TB, what string, err error) {
	tb.Helper()
	if err == nil {
		return
	}
	if !errors.Is(err, fs.ErrNotExist) {
		tb.Fatalf("%s: %v", what, err)
		return
	}
	Require(tb, what, err)
}
