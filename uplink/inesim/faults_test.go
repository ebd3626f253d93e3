package inesim_test

import (
	"context"
	"testing"
	"time"

	"github.com/ventanilla-mx/ventanilla/uplink"
	"github.com/ventanilla-mx/ventanilla/uplink/inesim"
	"github.com/ventanilla-mx/ventanilla/vocab"
)

func TestFaults(t *testing.T) {
	p := newPair(t, sharedPKI(t))
	c := p.client(t, func(o *uplink.Opts) { o.AttemptTimeout, o.Deadline = 300*time.Millisecond, 2*time.Second })
	verify := func() (uplink.Answer, error) { return c.Verify(context.Background(), p.request(t, credValid)) }

	t.Run("5xx every time", func(t *testing.T) {
		p.svc.SetFaults(inesim.Faults{Mode: inesim.FaultServerError, Every: 1})
		before := c.Metrics().Attempts
		a, err := verify()
		e := unknown(t, a, err, uplink.ReasonServerError)
		if e.HTTPStatus != 503 || e.Code != "unavailable" || c.Metrics().Attempts-before != 3 {
			t.Fatalf("HTTP %d code %q attempts %d", e.HTTPStatus, e.Code, c.Metrics().Attempts-before)
		}
	})
	t.Run("5xx then success", func(t *testing.T) {
		p.svc.SetFaults(inesim.Faults{Mode: inesim.FaultServerError, Every: 2})
		if a, err := verify(); err != nil || a.Status != vocab.StatusValid {
			t.Fatalf("retry after 503: %s %v", a.Status, err)
		}
	})
	t.Run("timeout", func(t *testing.T) {
		p.svc.SetFaults(inesim.Faults{Mode: inesim.FaultTimeout, Every: 1})
		a, err := verify()
		unknown(t, a, err, uplink.ReasonTimeout)
	})
	t.Run("timeout then success, same idempotency key", func(t *testing.T) {
		p.svc.SetFaults(inesim.Faults{Mode: inesim.FaultTimeout, Every: 2})
		if a, err := verify(); err != nil || a.Status != vocab.StatusValid {
			t.Fatalf("retry after timeout: %s %v", a.Status, err)
		}
	})
	t.Run("latency", func(t *testing.T) {
		p.svc.SetFaults(inesim.Faults{Latency: 20 * time.Millisecond})
		if a, err := verify(); err != nil || a.Status != vocab.StatusValid {
			t.Fatalf("with latency: %s %v", a.Status, err)
		}
	})
	t.Run("bad signature", func(t *testing.T) {
		p.svc.SetFaults(inesim.Faults{Mode: inesim.FaultBadSignature, Every: 1})
		a, err := verify()
		unknown(t, a, err, uplink.ReasonBadSignature)
	})
	t.Run("replayed answer", func(t *testing.T) {
		p.svc.SetFaults(inesim.Faults{})
		verify()
		p.svc.SetFaults(inesim.Faults{Mode: inesim.FaultReplayedAnswer, Every: 1})
		a, err := verify()
		unknown(t, a, err, uplink.ReasonNotBound)
	})
	t.Run("malformed", func(t *testing.T) {
		p.svc.SetFaults(inesim.Faults{Mode: inesim.FaultMalformed, Every: 1})
		a, err := verify()
		unknown(t, a, err, uplink.ReasonBadAnswer)
	})
	p.svc.SetFaults(inesim.Faults{})
	if p.alloc.Stats().Live != 0 {
		t.Fatalf("secmem live after faults: %+v", p.alloc.Stats())
	}
	if err := p.alloc.AuditReleased(); err != nil {
		t.Fatal(err)
	}
}

func TestParseFault(t *testing.T) {
	for _, s := range []string{"5xx", "timeout", "bad-signature", "replayed-answer", "malformed", ""} {
		if _, err := inesim.ParseFault(s); err != nil {
			t.Errorf("%q: %v", s, err)
		}
	}
	if _, err := inesim.ParseFault("explode"); err == nil {
		t.Error("unknown fault accepted")
	}
}
