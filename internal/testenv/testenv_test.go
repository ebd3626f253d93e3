package testenv

import (
	"errors"
	"fmt"
	"io/fs"
	"testing"
)

// fakeTB records what a helper did instead of stopping the test.
type fakeTB struct {
	testing.TB
	skipped, failed bool
}

func (f *fakeTB) Helper() {}
func (f *fakeTB) Skipf(string, ...any) {
	f.skipped = true
}
func (f *fakeTB) Fatalf(string, ...any) {
	f.failed = true
}

func TestRequire(t *testing.T) {
	missing := fmt.Errorf("model: %w", fs.ErrNotExist)
	broken := errors.New("model: bad magic")
	tests := []struct {
		name         string
		ci           string
		file         bool
		err          error
		skip, failed bool
	}{
		{"present", "", false, nil, false, false},
		{"missing outside CI", "", false, broken, true, false},
		{"missing under CI", "true", false, broken, false, true},
		{"CI=1", "1", false, broken, false, true},
		{"CI=false", "false", false, broken, true, false},
		{"file missing outside CI", "", true, missing, true, false},
		{"file missing under CI", "true", true, missing, false, true},
		{"file broken outside CI", "", true, broken, false, true},
		{"file present", "true", true, nil, false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("CI", tc.ci)
			f := &fakeTB{TB: t}
			if tc.file {
				RequireFile(f, "x", tc.err)
			} else {
				Require(f, "x", tc.err)
			}
			if f.skipped != tc.skip || f.failed != tc.failed {
				t.Errorf("skipped %v failed %v; want %v %v", f.skipped, f.failed, tc.skip, tc.failed)
			}
		})
	}
}
