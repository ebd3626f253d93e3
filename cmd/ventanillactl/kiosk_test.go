package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestKioskHashPIN(t *testing.T) {
	var out, errb bytes.Buffer
	c := &cli{stdout: &out, stderr: &errb, stdin: strings.NewReader("246810\n")}
	if code := run(context.Background(), c, []string{"kiosk", "hash-pin", "--operator", "op-001"}); code != exitOK {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if !strings.HasPrefix(out.String(), `op-001 = "$argon2id$v=19$m=65536,t=3,p=2$`) || strings.Contains(out.String(), "246810") {
		t.Fatalf("output %q", out.String())
	}
	c = &cli{stdout: &out, stderr: &errb, stdin: strings.NewReader("12\n")}
	if code := run(context.Background(), c, []string{"kiosk", "hash-pin"}); code != exitUsage {
		t.Fatalf("a 2-digit PIN: exit %d", code)
	}
}
