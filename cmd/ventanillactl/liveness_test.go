package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLivenessEvalRunsCaptureBinary: `liveness eval` executes
// `ventanilla-capture eval` with the same flags and passes its output and
// exit status through.
func TestLivenessEvalRunsCaptureBinary(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "fake-capture")
	script := "#!/bin/sh\necho \"args: $*\"\n[ \"$1\" = eval ] || exit 2\n"
	if err := os.WriteFile(bin, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	c := &cli{stdout: &out, stderr: &errb}
	code := run(context.Background(), c, []string{"liveness", "eval", "--manifest", "m.json", "--json", "--explain", "--capture-bin", bin})
	if code != exitOK || strings.TrimSpace(out.String()) != "args: eval --manifest m.json --json --explain" {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out.String(), errb.String())
	}
	code = run(context.Background(), c, []string{"liveness", "eval", "--manifest", "m.json", "--capture-bin", filepath.Join(dir, "missing")})
	if code != exitFailed || !strings.Contains(errb.String(), "--capture-bin") {
		t.Errorf("missing binary: exit %d, stderr %q", code, errb.String())
	}
	if code := run(context.Background(), c, []string{"liveness", "eval"}); code != exitUsage {
		t.Errorf("no manifest: exit %d", code)
	}
}
