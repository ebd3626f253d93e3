package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestRoffText(t *testing.T) {
	cases := map[string]string{
		`a\b`:              `a\eb`,
		"--config FILE":    `\-\-config FILE`,
		".TH injected":     `\&.TH injected`,
		"x\n'quoted line":  "x\n\\&'quoted line",
		"plain words only": "plain words only",
	}
	for in, want := range cases {
		if got := roffText(in); got != want {
			t.Errorf("roffText(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestManPageRenders renders a page from help text with every character
// roff treats specially and has man(1) check it, when man is installed.
func TestManPageRenders(t *testing.T) {
	help := "usage: ventanillad [--config FILE]\n.not a request\n'nor this\n  -x\tback\\slash \"quoted\"\n"
	page := ManPage(placeBinary("ventanillad"), "1.2.3~rc1", testDate, help)
	for _, want := range []string{".TH VENTANILLAD 8 ", `\&.not a request`, `\-\-config`, `back\eslash`, ".SH FILES"} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q:\n%s", want, page)
		}
	}
	man, err := exec.LookPath("man")
	if err != nil {
		t.Skip("man not installed; roff checked by the assertions above only")
	}
	path := filepath.Join(t.TempDir(), "ventanillad.8")
	if err := os.WriteFile(path, []byte(page), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(man, "--warnings", "-E", "UTF-8", "-l", path)
	cmd.Env = append(os.Environ(), "MANWIDTH=80", "MAN_DISABLE_SECCOMP=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("man: %v\n%s", err, out)
	}
	text := string(out)
	if strings.Contains(text, "warning") || !strings.Contains(text, ".not a request") || !strings.Contains(text, `back\slash`) {
		t.Errorf("man output shows warnings or lost text:\n%s", text)
	}
}

func TestPageForUnknownCommand(t *testing.T) {
	p := pageFor("some-new-tool")
	if p.summary == "" || !strings.Contains(p.description, "some-new-tool") {
		t.Errorf("pageFor(some-new-tool) = %+v", p)
	}
}
