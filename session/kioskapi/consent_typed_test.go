package kioskapi

import (
	"testing"

	"github.com/ventanilla-mx/ventanilla/session"
	"github.com/ventanilla-mx/ventanilla/session/sessiontest"
)

// TestTypedConsentOverHTTP (issue 13, finding 7): a citizen who cannot
// sign on the screen consents by typing the acceptance phrase of the
// notice's language; anything else is refused 422 and changes nothing;
// the ledger gets a typed acceptance, never a signature, and the state
// carries the receipt number.
func TestTypedConsentOverHTTP(t *testing.T) {
	rec := &sessiontest.Consent{}
	a := newAPIWithConsent(t, rec)
	p := a.toStep(session.StateSignature)
	for _, body := range []string{`{"phrase":"acepto"}`, `{"phrase":"I ACCEPT"}`, `{"phrase":""}`, `{}`} {
		code, m, _ := a.req("POST", p+"/consent/typed", body)
		if code != 422 || errCode(m) != "invalid_acceptance" {
			t.Errorf("%s: %d %v", body, code, m)
		}
	}
	if st := a.e.Snapshot().State; st != session.StateSignature || len(rec.Records()) != 0 {
		t.Fatalf("a refused phrase changed something: %s, %d records", st, len(rec.Records()))
	}
	a.must("POST", p+"/consent/typed", `{"phrase":"ACEPTO"}`, 200)
	got := rec.Records()
	if len(got) != 1 || got[0].Typed == nil || got[0].Typed.Phrase != "ACEPTO" || got[0].Typed.Lang != "es-MX" || got[0].Signature != nil {
		t.Fatalf("ledger got %+v", got)
	}
	m := a.must("GET", "/api/v1/state", "", 200)
	if r, _ := m["receipt"].(string); r != "000000-7F3A" {
		t.Fatalf("receipt %q", m["receipt"])
	}
}

// TestFieldErrorsCarryCodes (issue 13, finding 6): a rejected field names
// a stable rule code the UI translates, so no English rule text needs to
// reach the Spanish screen.
func TestFieldErrorsCarryCodes(t *testing.T) {
	a := newAPI(t)
	p := a.toStep(session.StateCredential)
	_, m, _ := a.req("POST", p+"/credential", `{"model":"E","fields":{"cic":"12345678X","identificadorCiudadano":"987654321"}}`)
	f := m["error"].(map[string]any)["fields"].([]any)[0].(map[string]any)
	if f["field"] != "cic" || f["code"] != "digits" {
		t.Fatalf("field error %v", f)
	}
}
