package daemon

import (
	"context"
	"errors"
	"fmt"

	"github.com/ventanilla-mx/ventanilla/consent"
	"github.com/ventanilla-mx/ventanilla/consent/ledger"
	"github.com/ventanilla-mx/ventanilla/credential"
	"github.com/ventanilla-mx/ventanilla/session"
	"github.com/ventanilla-mx/ventanilla/uplink"
)

// credentialRules is the credential package as a session.CredentialValidator.
type credentialRules struct{}

var _ session.CredentialValidator = credentialRules{}

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

// uplinkVerifier is the INE client as a session.Verifier. It turns the
// consent receipt into the inclusion proof INE checks, and maps the answer
// vocabularies (they share their spelling).
type uplinkVerifier struct {
	c *uplink.Client
	l *ledger.Ledger
}

var _ session.Verifier = uplinkVerifier{}

func (v uplinkVerifier) Verify(ctx context.Context, req *session.VerifyRequest) (session.Answer, error) {
	ur, err := v.request(ctx, req)
	if err != nil {
		return session.Answer{Status: session.StatusUnknown, Reason: string(uplink.ReasonLocal)}, err
	}
	a, err := v.c.Verify(ctx, ur)
	return session.Answer{Status: a.Status, Reason: string(a.Reason),
		FaceSimilarity: a.FaceSimilarity, FingerSimilarity: a.FingerSimilarity, FingerPosition: a.FingerPosition}, err
}

func (v uplinkVerifier) request(ctx context.Context, req *session.VerifyRequest) (*uplink.Request, error) {
	ur, err := v.consent(ctx, req)
	if err != nil {
		return nil, err
	}
	if err := fillCredential(&ur.Credential, req.Credential); err != nil {
		return nil, err
	}
	addBiometrics(ur, req)
	return ur, nil
}

// consent starts the uplink request with its id and consent proof. The
// session minted req.Request before the consent, and the consent record
// names it (ledgerConsent); INE checks the two match (protocol v2). The
// consent is bound to the credential entered first: no verification is
// sent whose binding is not durable.
func (v uplinkVerifier) consent(ctx context.Context, req *session.VerifyRequest) (*uplink.Request, error) {
	if err := bind(ctx, v.l, req.Consent, consent.OutcomeVerified, req.Credential); err != nil {
		return nil, fmt.Errorf("verify: %w", err)
	}
	id, err := consent.ParseID(req.Consent.ID)
	if err != nil {
		return nil, fmt.Errorf("verify: consent receipt: %w", err)
	}
	p, err := v.l.Proof(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("verify: consent proof: %w", err)
	}
	return &uplink.Request{ID: string(req.Request), Consent: uplink.ConsentProof{Record: p.Record, RecordHash: p.RecordHash,
		LeafIndex: p.Index, Checkpoint: p.Checkpoint, Proof: p.Hashes}}, nil
}

// fillCredential copies the fields into uplink's string-typed credential.
// Go strings cannot be wiped; they live until the garbage collector takes
// them, on the heap of a process that is non-dumpable and never swaps.
func fillCredential(dst *credential.Credential, src *session.Credential) error {
	m, err := credential.ParseModel(src.Model)
	if err != nil {
		return err
	}
	dst.Model = m
	for _, f := range src.Fields {
		if err := dst.Set(f.Name, string(f.Value.Bytes())); err != nil {
			return err
		}
	}
	return nil
}

func addBiometrics(ur *uplink.Request, req *session.VerifyRequest) {
	if f := req.Face; f != nil {
		ur.Biometrics = append(ur.Biometrics, uplink.Biometric{Kind: uplink.KindFace, Format: uplink.FormatJPEG, Data: f.JPEG.Bytes()})
		ur.Liveness = &uplink.Liveness{Decision: livenessDecision(f.Liveness.Decision), Method: f.Liveness.Method, Cues: f.Liveness.Cues}
	}
	if f := req.Finger; f != nil {
		ur.Biometrics = append(ur.Biometrics, uplink.Biometric{Kind: uplink.KindFinger, Position: f.Position,
			Format: uplink.Format(f.Format), Data: f.Image.Bytes()})
	}
}

func livenessDecision(d session.Decision) string {
	if d == session.Uncertain {
		return "inconclusive"
	}
	return string(d)
}
