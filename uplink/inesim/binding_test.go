package inesim_test

import (
	"context"
	"testing"

	"github.com/ventanilla-mx/ventanilla/credential"
	"github.com/ventanilla-mx/ventanilla/uplink"
)

// TestConsentUsedOnceOnly is issue 17, finding 5: ine-sim accepted the
// same consent proof for a second, different request. Now the consent
// record must name the request id INE receives, and a record already used
// for one request is refused for any other, even one it also names.
func TestConsentUsedOnceOnly(t *testing.T) {
	p := newPair(t, sharedPKI(t))
	c := p.client(t, nil)
	first := p.request(t, credValid)
	if a, err := c.Verify(context.Background(), first); err != nil || a.Status != uplink.StatusValid {
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
	if a, err := c.Verify(context.Background(), one); err != nil || a.Status != uplink.StatusValid {
		t.Fatalf("first use of a consent: %v %v", a.Status, err)
	}
	a, err = c.Verify(context.Background(), two)
	if e := unknown(t, a, err, uplink.ReasonRefused); e.Code != "consent-reused" || e.HTTPStatus != 409 {
		t.Fatalf("second use of a consent: HTTP %d code %q", e.HTTPStatus, e.Code)
	}
}

// TestConsentBacksACorrectionOnly is issue 13, finding 4 on INE's side: a
// citizen whose typed data INE did not find may correct them and send
// again in the same session under the same consent, with the next request
// id the record names. The record backs that next id only after a
// not-found or data-mismatch answer, each id once, so it still cannot
// back a second verification of anyone once a person was verified.
func TestConsentBacksACorrectionOnly(t *testing.T) {
	p := newPair(t, sharedPKI(t))
	c := p.client(t, nil)
	typo := credential.Credential{Model: credential.ModelE, CIC: "199999999", IdentificadorCiudadano: "299999999"}
	three, err := p.log.Consent("r_first", "r_second", "r_third")
	if err != nil {
		t.Fatal(err)
	}
	send := func(id string, cred credential.Credential) (uplink.Answer, error) {
		r := p.request(t, cred)
		r.ID, r.Consent = id, three
		return c.Verify(context.Background(), r)
	}
	if a, err := send("r_first", typo); err != nil || a.Status != uplink.StatusNotFound {
		t.Fatalf("first request: %v %v", a.Status, err)
	}
	if a, err := send("r_second", credValid); err != nil || a.Status != uplink.StatusValid {
		t.Fatalf("the correction after not-found: %v %v", a.Status, err)
	}
	a, err := send("r_third", credValid)
	if e := unknown(t, a, err, uplink.ReasonRefused); e.Code != "consent-reused" || e.HTTPStatus != 409 {
		t.Fatalf("a third request after a valid answer: HTTP %d code %q", e.HTTPStatus, e.Code)
	}
	a, err = send("r_first", credValid)
	if e := unknown(t, a, err, uplink.ReasonRefused); e.HTTPStatus != 409 {
		t.Fatalf("an earlier request id again: HTTP %d code %q", e.HTTPStatus, e.Code)
	}
	a, err = send("r_unnamed", credValid)
	if e := unknown(t, a, err, uplink.ReasonRefused); e.Code != "consent" {
		t.Fatalf("a request id the record does not name: code %q", e.Code)
	}
}
