package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// TestSimScanner runs the emulator as a technician would: it prints the
// stable path first, then answers commands from stdin until EOF.
func TestSimScanner(t *testing.T) {
	link := filepath.Join(t.TempDir(), "scanner")
	var out, errb bytes.Buffer
	in := strings.NewReader("STATUS\nFINGER seed:3:1\nBAUD 115200\nBOGUS\nUNPLUG\nPLUG\n")
	code := run(context.Background(), &cli{stdout: &out, stderr: &errb, stdin: in},
		[]string{"sim", "scanner", "-link", link, "-unpaced"})
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	lines := strings.Split(out.String(), "\n")
	if lines[0] != link {
		t.Fatalf("first line %q, want the link path %q", lines[0], link)
	}
	for _, want := range []string{"model=R307 baud=57600", "finger placed: synthetic finger 3 impression 1",
		"module now at 115200 baud", `error: unknown command "BOGUS"`, "unplugged", "plugged at " + link} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestSimUsage(t *testing.T) {
	var out bytes.Buffer
	if code := run(context.Background(), &cli{stdout: &out, stderr: &out}, []string{"sim"}); code != exitUsage {
		t.Fatalf("exit %d, want usage", code)
	}
	if code := run(context.Background(), &cli{stdout: &out, stderr: &out}, []string{"sim", "scanner", "-model", "X1"}); code != exitUsage {
		t.Fatalf("exit %d for an unknown model, want usage", code)
	}
}
