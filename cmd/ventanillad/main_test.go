package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheckConfigExitCodes(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.toml")
	if err := os.WriteFile(bad, []byte("version = 1\n[log]\nlevel = 3\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		f        flags
		code     int
		contains string
	}{
		{flags{checkConfig: "../../configs/ventanilla.toml"}, 0, "valid"},
		{flags{checkConfig: bad}, 1, "bad.toml:3"},
		{flags{checkConfig: filepath.Join(dir, "absent.toml")}, 1, "no config file"},
		{flags{config: filepath.Join(dir, "absent.toml")}, 3, "no config file"},
		{flags{config: bad}, 1, "wrong type"},
		{flags{version: true}, 0, "ventanillad"},
	}
	for _, tt := range tests {
		var out, errb bytes.Buffer
		code := run(&tt.f, &out, &errb)
		if code != tt.code || !strings.Contains(out.String()+errb.String(), tt.contains) {
			t.Errorf("%+v: exit %d, output %q; want %d containing %q", tt.f, code, out.String()+errb.String(), tt.code, tt.contains)
		}
	}
}

func TestParseFlags(t *testing.T) {
	var errb bytes.Buffer
	if _, err := parseFlags([]string{"extra"}, &errb); err == nil {
		t.Error("stray argument accepted")
	}
	f, err := parseFlags([]string{"--config", "x.toml"}, &errb)
	if err != nil || f.config != "x.toml" {
		t.Fatalf("parse: %v %+v", err, f)
	}
	if _, err := parseFlags([]string{"-h"}, &errb); err == nil || !strings.Contains(errb.String(), "--check-config") {
		t.Errorf("help output %q", errb.String())
	}
}
