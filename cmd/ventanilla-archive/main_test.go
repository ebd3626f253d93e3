package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/ventanilla-mx/ventanilla/consent"
)

func TestUsageErrors(t *testing.T) {
	ctx := context.Background()
	for _, args := range [][]string{nil, {"nope"}, {"export"}, {"serve", "--dsn", "x"}, {"erase", "--dsn", "x", "--reason", "r", "--before", "yesterday"},
		{"revoke", "--dsn", "x", "--reason", "r"}, {"revoke", "--dsn", "x", "--reason", "r", "--serial", "0a"}, {"keygen"}} {
		if code := run(ctx, args); code != exitUsage {
			t.Errorf("%q: exit %d, want %d", args, code, exitUsage)
		}
	}
	if _, err := selection("r_1", "cic", nil, "", ""); err == nil {
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

// TestLookupKeyRotation: keygen --lookup alone makes a new lookup key and
// nothing else (never replacing one), and an export selection over two
// keys names the credential's commitment under each, the first as Lookup.
func TestLookupKeyRotation(t *testing.T) {
	dir := t.TempDir()
	old, cur := filepath.Join(dir, "2026.key"), filepath.Join(dir, "2027.key")
	for _, p := range []string{old, cur} {
		if err := keygen(context.Background(), []string{"--lookup", p}); err != nil {
			t.Fatal(err)
		}
	}
	if err := keygen(context.Background(), []string{"--lookup", cur}); err == nil {
		t.Fatal("keygen replaced a lookup key")
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 2 {
		t.Fatalf("keygen --lookup made %d files, want the 2 lookup keys", len(ents))
	}
	keys, err := readLookupKeys([]string{cur, old})
	if err != nil {
		t.Fatal(err)
	}
	c := consent.Credential{Kind: "cic", Value: "123456789"}
	sel := lookupSelection(keys, c)
	lc, lo := consent.LookupCommitment(keys[0], c), consent.LookupCommitment(keys[1], c)
	if !bytes.Equal(sel.Lookup, lc[:]) || len(sel.Lookups) != 1 || !bytes.Equal(sel.Lookups[0], lo[:]) || bytes.Equal(lc[:], lo[:]) {
		t.Fatalf("selection %x + %x", sel.Lookup, sel.Lookups)
	}
	if one := lookupSelection(keys[:1], c); one.Lookups != nil {
		t.Fatal("one key must give a selection an older verifier reads")
	}
}
