package e2e

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/ventanilla-mx/ventanilla/credential"
	"github.com/ventanilla-mx/ventanilla/session"
	"github.com/ventanilla-mx/ventanilla/session/kioskapi"
)

// credentialRules is the daemon's adapter over the credential package
// (daemon/wire_verify.go): the browser sees the real rules and codes.
type credentialRules struct{}

func (credentialRules) Fields(model string) ([]string, error) {
	m, err := credential.ParseModel(model)
	if err != nil {
		return nil, err
	}
	return m.Fields(), nil
}

func (credentialRules) ValidateField(field string, value []byte) error {
	err := credential.ValidateField(field, string(value))
	var fe *credential.FieldError
	if errors.As(err, &fe) {
		return &session.FieldError{Field: fe.Field, Rule: fe.Rule, Code: fe.Code}
	}
	return err
}

// englishMarks are words of the server's English rules and of Chromium's
// own validation bubbles that must never reach the Spanish screen.
var englishMarks = []string{"digits", "characters", "positions", "YYMMDD", "birth date", "Please", "fill out", "want "}

// TestSpanishMessages (issue 13, finding 6): the Spanish screen says what
// is wrong in Spanish, next to the field it marks (aria-invalid), with no
// browser bubble and no English from the server's rules.
func TestSpanishMessages(t *testing.T) {
	k := newKioskWith(t, nil, credentialRules{}, kioskapi.Brand{})
	ctx := tab(t, browser(t))
	run(t, ctx, "log in with nothing typed", chromedp.Navigate(k.url+"/"), chromedp.WaitVisible(css("#op-id")),
		chromedp.Click(css("#login-go")), waitText("#op-id-err", "Escriba su número de operador"))
	marked(t, ctx, "op-id")
	native, err := chromedp.Run(ctx, chromedp.Evaluate[string](
		`[...document.forms].filter(f=>!f.noValidate).map(f=>f.id).join(',') + '|' + document.getElementById('op-id').validationMessage`))
	if err != nil || native != "|" {
		t.Fatalf("the browser validates a form itself (forms without novalidate, bubble text): %q %v", native, err)
	}
	loginAt(t, ctx, k.url, false)
	run(t, ctx, "to the consent", chromedp.Click(css("#start")), waitText("#notice-text", "AVISO"),
		chromedp.Evaluate[chromedp.Void](`(function(){const e=document.getElementById('notice-text');e.scrollTop=e.scrollHeight;})()`),
		chromedp.WaitEnabled(css("#notice-accept")), chromedp.Click(css("#notice-accept")), chromedp.WaitVisible(css("#typed-phrase")))
	run(t, ctx, "a word that is not the acceptance", chromedp.SendKeys(css("#typed-phrase"), "si"),
		chromedp.Click(css("#typed-send")), waitText("#typed-phrase-err", "Escriba exactamente la palabra ACEPTO"))
	marked(t, ctx, "typed-phrase")
	run(t, ctx, "the acceptance", chromedp.Evaluate[chromedp.Void](`document.getElementById('typed-phrase').value=''`),
		chromedp.SendKeys(css("#typed-phrase"), "ACEPTO"), chromedp.Click(css("#typed-send")), chromedp.WaitVisible(css("#model-A")))
	run(t, ctx, "no model chosen", chromedp.Click(css("#cred-send")), waitText("#model-err", "Elija el modelo"))
	marked(t, ctx, "model-A")
	// A clave de elector whose month is 13: right length and letters, so
	// only the server's rule (birth_date) catches it.
	run(t, ctx, "a clave de elector with no valid birth date",
		chromedp.Click(css("#model-A")), chromedp.WaitVisible(css("#f-claveElector")),
		chromedp.SendKeys(css("#f-claveElector"), "GMVLMR80130501M100"), chromedp.SendKeys(css("#f-numeroEmision"), "03"),
		chromedp.SendKeys(css("#f-ocr"), "1234567890123"), chromedp.Click(css("#cred-send")),
		waitText("#f-claveElector-err", "fecha de nacimiento válida"))
	marked(t, ctx, "f-claveElector")
	run(t, ctx, "a short OCR is caught before sending",
		chromedp.Evaluate[chromedp.Void](`document.getElementById('f-claveElector').value='GMVLMR80070501M100';document.getElementById('f-ocr').value='12345'`),
		chromedp.Click(css("#cred-send")), waitText("#f-ocr-err", "Debe tener exactamente 13 dígitos"))
	marked(t, ctx, "f-ocr")
	page, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.innerText`))
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range englishMarks {
		if strings.Contains(page, w) {
			t.Errorf("English on the Spanish screen: %q", w)
		}
	}
	if st := k.e.Snapshot().State; st != session.StateCredential {
		t.Fatalf("state %s", st)
	}
}

// marked fails unless the field is aria-invalid and its error message is
// tied to it (aria-describedby) and shown.
func marked(t *testing.T, ctx context.Context, id string) {
	t.Helper()
	js := `(function(){const e=document.getElementById(` + quote(id) + `);
const d=(e.getAttribute('aria-describedby')||'').split(' ').map(x=>document.getElementById(x)).filter(x=>x&&!x.hidden&&x.textContent);
return e.getAttribute('aria-invalid')==='true' && (d.length>0 || !!document.querySelector('#model-err:not([hidden])'));})()`
	ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](js))
	if err != nil || !ok {
		t.Fatalf("#%s is not marked invalid with its message (%v)", id, err)
	}
}
