package main

import (
	"os/exec"
	"testing"
	"time"
)

func TestDebVersion(t *testing.T) {
	commit := time.Date(2026, 11, 1, 1, 38, 9, 0, time.UTC)
	cases := []struct{ in, want string }{
		{"v1.2.3", "1.2.3"},
		{"1.2.3", "1.2.3"},
		{"v1.2.3-rc1", "1.2.3~rc1"},
		{"v1.2.3-rc.2-dirty", "1.2.3~rc2+dirty"},
		{"v1.2.3-4-gabc1234", "1.2.3+git4.abc1234"},
		{"v1.2.3-rc1-4-gabc1234", "1.2.3~rc1+git4.abc1234"},
		{"v1.2.3-4-gabc1234-dirty", "1.2.3+git4.abc1234+dirty"},
		{"106afa3", "0.0~git20261101013809.106afa3"},
		{"106afa3-dirty", "0.0~git20261101013809.106afa3+dirty"},
	}
	for _, c := range cases {
		got, err := DebVersion(c.in, commit)
		if err != nil || got != c.want {
			t.Errorf("DebVersion(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{"", "dev", "v1.2.3 ; rm", "release-1"} {
		if got, err := DebVersion(bad, commit); err == nil {
			t.Errorf("DebVersion(%q) = %q, want an error", bad, got)
		}
	}
}

// TestDebVersionOrder checks with dpkg itself that the mapping sorts the
// way releases happen, so upgrades go forward.
func TestDebVersionOrder(t *testing.T) {
	if _, err := exec.LookPath("dpkg"); err != nil {
		skipOrFail(t, "dpkg not installed")
	}
	early := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	order := []struct {
		describe string
		at       time.Time
	}{
		{"aaaaaaa", early},
		{"0000000", early.Add(time.Second)},
		{"v0.1.0-rc1", early},
		{"v0.1.0-rc1-3-g0000000", early},
		{"v0.1.0", early},
		{"v0.1.0-1-gfffffff", early},
		{"v0.1.0-2-g0000000", early},
		{"v0.1.1", early},
		{"v0.10.0", early},
	}
	var prev string
	for _, o := range order {
		v, err := DebVersion(o.describe, o.at)
		if err != nil {
			t.Fatal(err)
		}
		if prev != "" {
			if err := exec.Command("dpkg", "--compare-versions", prev, "lt", v).Run(); err != nil {
				t.Errorf("dpkg: %s is not older than %s", prev, v)
			}
		}
		prev = v
	}
}
