package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// runCtl runs ventanillactl in-process and returns exit code, stdout, stderr.
func runCtl(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), &cli{stdout: &out, stderr: &errb, stdin: strings.NewReader("")}, args)
	return code, out.String(), errb.String()
}
