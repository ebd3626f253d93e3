package web

import (
	"io/fs"
	"regexp"
	"strings"
	"testing"

	"github.com/ventanilla-mx/ventanilla/session"
)

// TestStrictCSPCompatible: the page must work under script-src 'self' and
// style-src 'self': no inline script, no event-handler attributes, no
// style attributes, nothing loaded from another origin.
func TestStrictCSPCompatible(t *testing.T) {
	bad := []*regexp.Regexp{
		regexp.MustCompile(`<script(?:\s[^>]*)?>\s*[^<\s]`),      // inline script body
		regexp.MustCompile(`\son[a-z]+\s*=`),                     // onclick= and friends
		regexp.MustCompile(`\sstyle\s*=`),                        // inline style
		regexp.MustCompile(`(?:src|href)\s*=\s*"(?:https?:)?//`), // other origins
		regexp.MustCompile(`javascript:`),
	}
	err := fs.WalkDir(UI(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".html") {
			return err
		}
		b, _ := fs.ReadFile(UI(), p)
		for _, tag := range regexp.MustCompile(`<script[^>]*>`).FindAll(b, -1) {
			if !regexp.MustCompile(`\ssrc="/static/[a-z0-9-]+\.js"`).Match(tag) {
				t.Errorf("%s: %s is not a same-origin script file", p, tag)
			}
		}
		for _, re := range bad {
			if loc := re.FindIndex(b); loc != nil {
				t.Errorf("%s: %q breaks the CSP", p, b[loc[0]:min(loc[1]+20, len(b))])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestIndexHasTokenPlaceholderAndAssets(t *testing.T) {
	idx, err := fs.ReadFile(UI(), "index.html")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(idx), `content="{{KIOSK_TOKEN}}"`) {
		t.Error("index.html lacks the token placeholder")
	}
	for _, m := range regexp.MustCompile(`(?:src|href)="/(static/[^"]+)"`).FindAllStringSubmatch(string(idx), -1) {
		if _, err := fs.Stat(UI(), m[1]); err != nil {
			t.Errorf("index.html references missing %s", m[1])
		}
	}
}

// TestEveryKindAndStateIsHandled: the UI subscribes to every event kind
// and has a screen for every state of the engine's closed vocabulary.
func TestEveryKindAndStateIsHandled(t *testing.T) {
	js, err := fs.ReadFile(UI(), "static/app.js")
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range session.Kinds() {
		if !strings.Contains(string(js), `"`+string(k)+`"`) {
			t.Errorf("app.js does not listen for %s", k)
		}
	}
	for _, st := range session.States() {
		if !strings.Contains(string(js), string(st)+`: "s-`) {
			t.Errorf("app.js has no screen for state %s", st)
		}
	}
}

// TestStringsExistInBothLanguages: every key used for outcomes, statuses
// and errors has Spanish text.
func TestStringsExistInBothLanguages(t *testing.T) {
	i18n, _ := fs.ReadFile(UI(), "static/i18n.js")
	s := string(i18n)
	es, en, ok := strings.Cut(s, "const en = {")
	if !ok {
		t.Fatal("i18n.js layout changed")
	}
	keys := []string{"out.approved.t", "out.identification_only.t", "out.not_current.x", "out.denied.t", "out.retry.x",
		"deny.not-found", "deny.data-mismatch", "deny.reported-lost-stolen", "deny.suspended-rights", "deny.biometric"}
	for _, k := range keys {
		if !strings.Contains(es, `"`+k+`"`) || !strings.Contains(en, `"`+k+`"`) {
			t.Errorf("string %s missing in a language", k)
		}
	}
	if !strings.Contains(es, "no es un rechazo") {
		t.Error("the retry text must say it is not a rejection")
	}
}

func TestNotices(t *testing.T) {
	ns := Notices()
	if len(ns) != 2 || ns[0].Lang != "es-MX" {
		t.Fatalf("notices %+v", ns)
	}
	for _, n := range ns {
		if len(n.Text) < 500 || n.Ref().SHA256 == ([32]byte{}) {
			t.Errorf("%s notice too short", n.Lang)
		}
	}
	if ns[0].Ref().SHA256 == ns[1].Ref().SHA256 {
		t.Error("both languages hash the same")
	}
}
