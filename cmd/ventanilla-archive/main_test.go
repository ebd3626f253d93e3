package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/ventanilla-mx/ventanilla/consent"
)

func TestUsageErrors(t *testing.T) {
	ctx := context.Background()
	for _, args := range [][]string{nil, {"nope"}, {"export"}, {"serve", "--dsn", "x"}, {"erase", "--dsn", "x", "--reason", "r", "--before", "yesterday"},
		{"revoke", "--dsn", "x", "--reason", "r"}, {"revoke", "--dsn", "x", "--reason", "r", "--serial", "0a"}} {
		if code := run(ctx, args); code != exitUsage {
			t.Errorf("%q: exit %d, want %d", args, code, exitUsage)
		}
	}
	if _, err := selection("r_1", "cic", "", "", ""); err == nil {
		t.Error("request and credential together accepted")
	}
}

func TestKeygenWritesKeysOnce(t *testing.T) {
	dir := t.TempDir()
	key, lookup := filepath.Join(dir, "archive.key"), filepath.Join(dir, "lookup.key")
	if err := keygen(context.Background(), []string{"--key", key, "--lookup", lookup}); err != nil {
		t.Fatal(err)
	}
	if _, err := consent.ReadLookupKey(lookup); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{key, lookup} {
		if fi, err := os.Stat(p); err != nil || fi.Mode().Perm() != 0o600 {
			t.Fatalf("%s: %v %v", p, fi.Mode(), err)
		}
	}
	if err := keygen(context.Background(), []string{"--key", key, "--lookup", lookup}); err == nil {
		t.Fatal("keygen replaced an existing key")
	}
}
