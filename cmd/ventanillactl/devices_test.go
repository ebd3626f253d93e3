package main

import "testing"

func TestShortDetail(t *testing.T) {
	for in, want := range map[string]string{
		"":                          "",
		"scanner unplugged":         "scanner unplugged",
		"open /dev/x: no such file": "open /dev/x: no such file",
		"fingerprint: r30x: connect: open /dev/ventanilla/scanner: no such file or directory": "open /dev/ventanilla/scanner: no such file or directory",
		"a: b: " + string(make([]byte, 80)):                                                   "b: " + string(make([]byte, 56)) + "…",
	} {
		if got := shortDetail(in); got != want {
			t.Errorf("shortDetail(%q) = %q, want %q", in, got, want)
		}
	}
}
