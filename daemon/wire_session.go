package daemon

import (
	"context"
	"fmt"
	"strings"

	"github.com/ventanilla-mx/ventanilla/consent"
	"github.com/ventanilla-mx/ventanilla/consent/ledger"
	"github.com/ventanilla-mx/ventanilla/logging"
	"github.com/ventanilla-mx/ventanilla/secmem"
	"github.com/ventanilla-mx/ventanilla/session"
)

// This file holds the adapters from the real packages to the session
// engine's ports (session/ports.go). The face port and the preview come
// from wire_camera.go.

// realPorts assembles the engine's ports from the parts that were built.
// A missing mandatory part (consent, uplink) is an error the
// kiosk.parts_missing condition shows, with why it is missing; a missing
// capture device only removes that modality.
func realPorts(s *System, parts kioskParts) (session.Ports, error) {
	var missing []string
	l, haveLedger := parts.ledger.get()
	if !haveLedger {
		missing = append(missing, "consent ledger ("+parts.ledger.reason()+")")
	}
	up, haveUplink := parts.uplink.get()
	if !haveUplink {
		missing = append(missing, "INE uplink ("+parts.uplink.reason()+")")
	}
	if parts.mem == nil {
		missing = append(missing, "locked memory")
	}
	p := session.Ports{Credentials: credentialRules{}, Alloc: secmem.Secrets(parts.mem)}
	if cl, ok := parts.face.get(); ok {
		p.Face, p.Preview = cl, cl
	}
	if sc, ok := parts.scanner.get(); ok && parts.mem != nil {
		p.Finger = newFingerCapture(s, sc, parts.mem)
	}
	if p.Face == nil && p.Finger == nil {
		missing = append(missing, "camera ("+parts.face.reason()+") or fingerprint scanner ("+parts.scanner.reason()+")")
	}
	if len(missing) > 0 {
		return session.Ports{}, fmt.Errorf("not wired: %s", strings.Join(missing, ", "))
	}
	p.Consent, p.Verifier = ledgerConsent{l: l, mem: parts.mem}, uplinkVerifier{c: up, l: l}
	p.Binder = ledgerBinder{l}
	return p, nil
}

// requestTokens is the consent statement's spelling of request ids.
func requestTokens(ids []logging.RequestID) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = string(id)
	}
	return out
}

// ledgerConsent is the consent ledger as a session.ConsentRecorder. The
// receipt's Proof is the ledger.Receipt (record hash, leaf index, signed
// checkpoint) for the uplink adapter to turn into its consent proof. mem
// holds an e.firma's decrypted key while it signs (wire_efirma.go).
type ledgerConsent struct {
	l   *ledger.Ledger
	mem *secmem.Allocator
}

var _ session.ConsentRecorder = ledgerConsent{}

func (a ledgerConsent) RecordConsent(ctx context.Context, c *session.Consent) (session.ConsentReceipt, error) {
	st, err := a.l.NewStatement(ledger.StatementOpts{OperatorID: c.Operator,
		Notice:   consent.Notice{ID: c.Notice.ID, Version: c.Notice.Version, SHA256: c.Notice.SHA256},
		Purposes: c.Purposes, Requests: requestTokens(c.Requests)})
	if err != nil {
		return session.ConsentReceipt{}, fmt.Errorf("consent statement: %w", err)
	}
	p := &consent.Personal{Handwritten: c.Signature}
	switch {
	case c.Typed != nil:
		// Recorded as what it is: a typed acceptance, never a signature.
		p = &consent.Personal{Typed: &consent.TypedAcceptance{Lang: c.Typed.Lang, Phrase: c.Typed.Phrase}}
	case c.EFirma != nil:
		if p.EFirma, err = a.signEFirma(st, c.EFirma); err != nil {
			return session.ConsentReceipt{}, err
		}
		p.Handwritten = nil
	}
	rc, err := a.l.Append(ctx, st, p)
	if err != nil {
		return session.ConsentReceipt{}, efirmaRefusal(err)
	}
	return session.ConsentReceipt{ID: rc.ID.String(), Proof: session.ConsentProof{Index: rc.Index,
		RecordHash: rc.RecordHash, TreeSize: rc.TreeSize, Checkpoint: rc.Checkpoint}}, nil
}
