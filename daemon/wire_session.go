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

// realPorts assembles the engine's ports from the wired subsystems. A
// missing mandatory part (consent, uplink, locked memory) is an error the
// kiosk.parts_missing condition shows; a missing capture device only
// removes that modality.
func realPorts(s *System) (session.Ports, error) {
	var missing []string
	if s.ledger == nil {
		missing = append(missing, "consent ledger")
	}
	if s.uplink == nil {
		missing = append(missing, "INE uplink")
	}
	if s.secmem == nil {
		missing = append(missing, "locked memory")
	}
	p := session.Ports{Credentials: credentialRules{}, Alloc: secmem.Secrets(s.secmem)}
	if s.faceCapture != nil {
		p.Face, p.Preview = s.faceCapture, s.preview
	}
	if s.scanner != nil {
		p.Finger = newFingerCapture(s)
	}
	if p.Face == nil && p.Finger == nil {
		missing = append(missing, "camera or fingerprint scanner")
	}
	if len(missing) > 0 {
		return session.Ports{}, fmt.Errorf("not wired: %s (see the other conditions)", strings.Join(missing, ", "))
	}
	p.Consent, p.Verifier = ledgerConsent{s.ledger}, uplinkVerifier{c: s.uplink, l: s.ledger}
	p.Binder = ledgerBinder{s.ledger}
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
// checkpoint) for the uplink adapter to turn into its consent proof.
type ledgerConsent struct{ l *ledger.Ledger }

var _ session.ConsentRecorder = ledgerConsent{}

func (a ledgerConsent) RecordConsent(ctx context.Context, c *session.Consent) (session.ConsentReceipt, error) {
	st, err := a.l.NewStatement(ledger.StatementOpts{OperatorID: c.Operator,
		Notice:   consent.Notice{ID: c.Notice.ID, Version: c.Notice.Version, SHA256: c.Notice.SHA256},
		Purposes: c.Purposes, Requests: requestTokens(c.Requests)})
	if err != nil {
		return session.ConsentReceipt{}, fmt.Errorf("consent statement: %w", err)
	}
	p := &consent.Personal{Handwritten: c.Signature}
	if c.Typed != nil {
		// Recorded as what it is: a typed acceptance, never a signature.
		p = &consent.Personal{Typed: &consent.TypedAcceptance{Lang: c.Typed.Lang, Phrase: c.Typed.Phrase}}
	}
	rc, err := a.l.Append(ctx, st, p)
	if err != nil {
		return session.ConsentReceipt{}, err
	}
	return session.ConsentReceipt{ID: rc.ID.String(), Proof: session.ConsentProof{Index: rc.Index,
		RecordHash: rc.RecordHash, TreeSize: rc.TreeSize, Checkpoint: rc.Checkpoint}}, nil
}
