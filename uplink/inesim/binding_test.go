package inesim_test

import (
	"context"
	"testing"

	"github.com/ventanilla-mx/ventanilla/uplink"
	"github.com/ventanilla-mx/ventanilla/vocab"
)

// TestConsentUsedOnceOnly is issue 17, finding 5: ine-sim accepted the
// same consent proof for a second, different request. Now the consent
// record must name the request id INE receives, and a record already used
// for one request is refused for any other, even one it also names.
func TestConsentUsedOnceOnly(t *testing.T) {
	p := newPair(t, sharedPKI(t))
	c := p.client(t, nil)
	first := p.request(t, credValid)
	if a, err := c.Verify(context.Background(), first); err != nil || a.Status != vocab.StatusValid {
		t.Fatalf("first request: %v %v", a.Status, err)
	}
	second := p.request(t, credValid)
	second.Consent = first.Consent
	a, err := c.Verify(context.Background(), second)
	if e := unknown(t, a, err, uplink.ReasonRefused); e.Code != "consent" {
		t.Fatalf("a consent naming another request: code %q", e.Code)
	}

	both, err := p.log.Consent("r_one", "r_two")
	if err != nil {
		t.Fatal(err)
	}
	one, two := p.request(t, credValid), p.request(t, credValid)
	one.ID, one.Consent, two.ID, two.Consent = "r_one", both, "r_two", both
	if a, err := c.Verify(context.Background(), one); err != nil || a.Status != vocab.StatusValid {
		t.Fatalf("first use of a consent: %v %v", a.Status, err)
	}
	a, err = c.Verify(context.Background(), two)
	if e := unknown(t, a, err, uplink.ReasonRefused); e.Code != "consent-reused" || e.HTTPStatus != 409 {
		t.Fatalf("second use of a consent: HTTP %d code %q", e.HTTPStatus, e.Code)
	}
}
