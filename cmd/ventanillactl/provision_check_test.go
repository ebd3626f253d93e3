package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/ventanilla-mx/ventanilla/daemon/daemontest"
)

// TestProvisionCheckLookupKey (issue 14, left over): `provision check`
// looked at every key but consent.lookup_key. Now a set key must be the
// archive's 32 bytes of hex and readable by no other user; an unset key
// is a warning on a kiosk without an archive and missing on one that
// pushes to an archive. The key itself is never printed.
func TestProvisionCheckLookupKey(t *testing.T) {
	env := daemontest.Provision(t, daemontest.Opts{KioskID: "ctl-lookup"})
	key := filepath.Join(env.Dir, "keys", "lookup.key")
	secret, err := os.ReadFile(key)
	if err != nil {
		t.Fatal(err)
	}
	base, err := os.ReadFile(env.ConfigPath)
	if err != nil {
		t.Fatal(err)
	}
	const set = `lookup_key = "keys/lookup.key"`
	ops := "[kiosk_api.operators]\n\"op-001\" = \"$argon2id$v=19$m=65536,t=3,p=2$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g\"\n"
	for _, c := range []struct {
		name, lookup string
		body         string
		mode         os.FileMode
		code         int
		state        string
	}{
		{"provisioned", set, "", 0o600, exitOK, "ok"},
		{"readable by others", set, "", 0o644, exitFailed, "MISSING: mode 0644: others may read it"},
		{"not a key", set, "not hex\n", 0o600, exitFailed, "MISSING: not 32 bytes of hex"},
		{"absent", `lookup_key = "keys/absent.key"`, "", 0o600, exitFailed, "MISSING: no such file or directory"},
		{"unset, no archive", `lookup_key = ""`, "", 0o600, exitOK, "WARNING: not set"},
		{"unset with an archive", "lookup_key = \"\"\narchive_url = \"https://archivo.example:8443\"", "", 0o600, exitFailed, "MISSING: not set"},
	} {
		t.Run(c.name, func(t *testing.T) {
			writeFile(t, env.ConfigPath, []byte(strings.Replace(string(base), set, c.lookup, 1)+ops), 0o600)
			body := secret
			if c.body != "" {
				body = []byte(c.body)
			}
			writeFile(t, key, body, c.mode)
			code, out, errOut := runCtl(t, "--config", env.ConfigPath, "provision", "check")
			row := regexp.MustCompile(`(?m)^consent lookup key\s+(.*)$`).FindStringSubmatch(out)
			if code != c.code || row == nil || !strings.HasPrefix(row[1], c.state) {
				t.Fatalf("exit %d, want %d; lookup key row %q, want %q\n%s%s", code, c.code, row, c.state, out, errOut)
			}
			if strings.Contains(out+errOut, strings.TrimSpace(string(secret))) {
				t.Fatal("the lookup key was printed")
			}
		})
	}
}

// writeFile writes b to path with exactly mode (the umask aside).
func writeFile(t *testing.T, path string, b []byte, mode os.FileMode) {
	t.Helper()
	if err := os.WriteFile(path, b, mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}
