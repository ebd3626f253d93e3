package uplink

import (
	"crypto/ed25519"
	"errors"
	"fmt"

	"github.com/ventanilla-mx/ventanilla/consent"
	"golang.org/x/mod/sumdb/tlog"
)

// ConsentProof proves that a consent record is in the kiosk's consent log
// (docs/development.md, "Consent proof carried in a verification request").
// The consent ledger produces it; uplink only carries and checks it.
type ConsentProof struct {
	RecordHash tlog.Hash   // tlog.RecordHash of the canonical record bytes
	LeafIndex  int64       // index of the record in the log
	Checkpoint []byte      // signed note, C2SP checkpoint text, signed by the device key
	Proof      []tlog.Hash // tlog.RecordProof for LeafIndex at the checkpoint's size
}

// ErrConsent is wrapped by every consent proof failure. The kiosk must not
// retry with the same proof; the consent ledger must produce a fresh one.
var ErrConsent = errors.New("consent proof invalid")

// ConsentOrigin is the checkpoint origin (and note signer name) of a kiosk's
// consent log.
func ConsentOrigin(kioskID string) string { return consent.Origin(kioskID) }

func (p *ConsentProof) wellFormed() error {
	switch {
	case p.RecordHash == (tlog.Hash{}):
		return fmt.Errorf("uplink: %w: record hash missing", ErrConsent)
	case p.LeafIndex < 0:
		return fmt.Errorf("uplink: %w: negative leaf index", ErrConsent)
	case len(p.Checkpoint) == 0 || len(p.Checkpoint) > 4096:
		return fmt.Errorf("uplink: %w: checkpoint missing or too large", ErrConsent)
	case len(p.Proof) > 64:
		return fmt.Errorf("uplink: %w: proof longer than 64 hashes", ErrConsent)
	}
	return nil
}

// Checkpoint is a parsed C2SP checkpoint (the consent package's).
type Checkpoint = consent.Checkpoint

// Verify checks the proof for kioskID, whose device key is pub: the
// checkpoint is a note signed by pub under ConsentOrigin(kioskID), and the
// record hash is at LeafIndex in the tree it commits to. The checking is
// the consent package's own (consent.VerifyInclusion), so the kiosk's
// ledger and INE's side cannot drift apart.
func (p *ConsentProof) Verify(kioskID string, pub ed25519.PublicKey) (*Checkpoint, error) {
	if err := p.wellFormed(); err != nil {
		return nil, err
	}
	cp, err := consent.VerifyInclusion(p.RecordHash, p.LeafIndex, p.Checkpoint, p.Proof, ConsentOrigin(kioskID), pub)
	if err != nil {
		return nil, fmt.Errorf("uplink: %w: %v", ErrConsent, err)
	}
	return &cp, nil
}
