package daemon

import (
	"context"
	"fmt"

	"github.com/ventanilla-mx/ventanilla/consent"
	"github.com/ventanilla-mx/ventanilla/consent/ledger"
	"github.com/ventanilla-mx/ventanilla/session"
)

// This file holds the adapters from the real packages to the session
// engine's ports (session/ports.go). sessionPorts in wire_kiosk.go uses
// them once the parts they adapt are wired.

// ledgerConsent is the consent ledger as a session.ConsentRecorder. The
// receipt's Proof is the ledger.Receipt (record hash, leaf index, signed
// checkpoint) for the uplink adapter to turn into its consent proof.
type ledgerConsent struct{ l *ledger.Ledger }

var _ session.ConsentRecorder = ledgerConsent{}

func (a ledgerConsent) RecordConsent(ctx context.Context, c *session.Consent) (session.ConsentReceipt, error) {
	st, err := a.l.NewStatement(ledger.StatementOpts{OperatorID: c.Operator,
		Notice:   consent.Notice{ID: c.Notice.ID, Version: c.Notice.Version, SHA256: c.Notice.SHA256},
		Purposes: c.Purposes, Requests: []string{string(c.Request)}})
	if err != nil {
		return session.ConsentReceipt{}, fmt.Errorf("consent statement: %w", err)
	}
	strokes := handwritten(c.Signature)
	defer wipeStrokes(strokes)
	rc, err := a.l.Append(ctx, st, &consent.Personal{Handwritten: strokes})
	if err != nil {
		return session.ConsentReceipt{}, err
	}
	return session.ConsentReceipt{ID: rc.ID.String(), Proof: rc}, nil
}

// handwritten copies the session's signature into the consent type (the
// same fields); the copy is wiped after the append.
func handwritten(sig *session.Signature) *consent.Strokes {
	s := &consent.Strokes{Width: sig.Width, Height: sig.Height, Strokes: make([]consent.Stroke, len(sig.Strokes))}
	for i, st := range sig.Strokes {
		out := make(consent.Stroke, len(st))
		for j, p := range st {
			out[j] = consent.Point{X: p.X, Y: p.Y, T: p.T, Pressure: p.Pressure}
		}
		s.Strokes[i] = out
	}
	return s
}

func wipeStrokes(s *consent.Strokes) {
	for _, st := range s.Strokes {
		clear(st)
	}
}
