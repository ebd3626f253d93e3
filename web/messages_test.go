package web

import (
	"io/fs"
	"regexp"
	"strings"
	"testing"

	"github.com/ventanilla-mx/ventanilla/credential"
)

// stringTables returns the es-MX and English string tables of i18n.js as
// key → text.
func stringTables(t *testing.T) (es, en map[string]string) {
	t.Helper()
	b, err := fs.ReadFile(UI(), "static/i18n.js")
	if err != nil {
		t.Fatal(err)
	}
	esPart, enPart, ok := strings.Cut(string(b), "const en = {")
	if !ok {
		t.Fatal("i18n.js layout changed")
	}
	enPart, _, _ = strings.Cut(enPart, "const tables")
	pair := regexp.MustCompile(`"([A-Za-z0-9._-]+)":\s*"((?:[^"\\]|\\.)*)"`)
	parse := func(s string) map[string]string {
		m := map[string]string{}
		for _, p := range pair.FindAllStringSubmatch(s, -1) {
			m[p[1]] = p[2]
		}
		return m
	}
	return parse(esPart), parse(enPart)
}

// TestRuleCodesTranslated (issue 13, finding 6): every rule code a
// credential rejection can carry has its own text in both languages, so
// the page never needs the server's English rule.
func TestRuleCodesTranslated(t *testing.T) {
	es, en := stringTables(t)
	codes := append(credential.RuleCodes(), "fields", "required", "invalid") // the session's own
	for _, c := range codes {
		if es["rule."+c] == "" || en["rule."+c] == "" {
			t.Errorf("rule code %q has no text in a language", c)
		}
	}
	if strings.Contains(es["err.invalid_credential"], "{rule}") {
		t.Error("the Spanish credential error still interpolates the server's rule text")
	}
}

// TestSpanishTableHasNoEnglish: the es-MX strings carry no English
// fragment (the "(9 digits)" of issue 13).
func TestSpanishTableHasNoEnglish(t *testing.T) {
	es, _ := stringTables(t)
	english := regexp.MustCompile(`(?i)\b(digits?|characters?|positions?|please|the|want|field|must|letters|birth|date|state|try|again|error)\b`)
	placeholder := regexp.MustCompile(`\{[a-z]+\}`)
	for k, v := range es {
		if strings.HasPrefix(k, "lang.") {
			continue
		}
		if m := english.FindString(placeholder.ReplaceAllString(v, "")); m != "" {
			t.Errorf("es-MX %s = %q: English %q", k, v, m)
		}
	}
}
