package kioskapi

import (
	"encoding/base64"
	"fmt"
	"testing"

	"github.com/ventanilla-mx/ventanilla/session"
	"github.com/ventanilla-mx/ventanilla/session/sessiontest"
)

func efirmaJSON(cer, key, pw string) string {
	b := base64.StdEncoding.EncodeToString
	return fmt.Sprintf(`{"cer":%q,"key":%q,"password":%q}`, b([]byte(cer)), b([]byte(key)), b([]byte(pw)))
}

// TestEFirmaConsentOverHTTP (issue 13, item 7): the .cer, .key and
// password reach the recorder as an e.firma consent; a refusal answers 422
// invalid_efirma with the reason code and leaves the session at the
// signature step; the files are wiped after the call; the accepted one
// moves the session on exactly as a drawn signature does.
func TestEFirmaConsentOverHTTP(t *testing.T) {
	rec := &sessiontest.Consent{EFirmaPassword: "secreta"}
	a := newAPIWithConsent(t, rec)
	p := a.toStep(session.StateSignature)
	code, m, _ := a.req("POST", p+"/consent/efirma", efirmaJSON("cer", "key", "otra"))
	reasons, _ := m["error"].(map[string]any)["reasons"].([]any)
	if code != 422 || errCode(m) != "invalid_efirma" || len(reasons) != 1 || reasons[0] != session.EFirmaWrongPassword {
		t.Fatalf("wrong password: %d %v", code, m)
	}
	for _, body := range []string{efirmaJSON("", "key", "secreta"), `{"cer":"no es base64","key":"","password":""}`, `{}`} {
		if code, m, _ := a.req("POST", p+"/consent/efirma", body); code != 422 && code != 400 {
			t.Errorf("%s: %d %v", body, code, m)
		}
	}
	if st := a.e.Snapshot().State; st != session.StateSignature || len(rec.Records()) != 0 {
		t.Fatalf("a refused e.firma changed something: %s, %d records", st, len(rec.Records()))
	}
	a.must("POST", p+"/consent/efirma", efirmaJSON("cer", "key", "secreta"), 200)
	if st := a.e.Snapshot().State; st != session.StateCredential {
		t.Fatalf("after the e.firma the session is at %s, want %s", st, session.StateCredential)
	}
	if got := rec.Records(); len(got) != 1 || got[0].Signature != nil || got[0].Typed != nil {
		t.Fatalf("ledger got %+v", got)
	}
	if !rec.EFirmaWiped() {
		t.Fatal("the e.firma files or password were not wiped after the call")
	}
}
