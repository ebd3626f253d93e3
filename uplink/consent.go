package uplink

import (
	"crypto/ed25519"
	"errors"
	"fmt"
	"slices"

	"github.com/ventanilla-mx/ventanilla/consent"
	"golang.org/x/mod/sumdb/tlog"
)

// MaxConsentRecord bounds the consent record a request carries (a record's
// sealed box is at most 4 MiB; a typical one is a few KiB).
const MaxConsentRecord = 5 << 20

// ConsentProof proves that a consent record is in the kiosk's consent log
// and carries the record itself, so the relying party can check that the
// record names the request (docs/protocol.md, "Consent proof"). The
// consent ledger produces it; uplink only carries and checks it.
type ConsentProof struct {
	Record     []byte      // canonical consent record bytes (personal fields sealed to the archive key)
	RecordHash tlog.Hash   // tlog.RecordHash(Record)
	LeafIndex  int64       // index of the record in the log
	Checkpoint []byte      // signed note, C2SP checkpoint text, signed by the device key
	Proof      []tlog.Hash // tlog.RecordProof for LeafIndex at the checkpoint's size
}

// ErrConsent is wrapped by every consent proof failure. The kiosk must not
// retry with the same proof; the consent ledger must produce a fresh one.
var ErrConsent = errors.New("consent proof invalid")

// ErrConsentNotBound means the consent record does not name the request id
// it travels with (wraps ErrConsent).
var ErrConsentNotBound = fmt.Errorf("%w: the consent record does not name this request", ErrConsent)

// ConsentOrigin is the checkpoint origin (and note signer name) of a kiosk's
// consent log.
func ConsentOrigin(kioskID string) string { return consent.Origin(kioskID) }

func (p *ConsentProof) wellFormed() error {
	switch {
	case len(p.Record) == 0 || len(p.Record) > MaxConsentRecord:
		return fmt.Errorf("uplink: %w: consent record missing or too large", ErrConsent)
	case p.RecordHash != consent.LeafHash(p.Record):
		return fmt.Errorf("uplink: %w: record hash is not the hash of the record", ErrConsent)
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

// Verify checks the proof for request requestID of kioskID, whose device
// key is pub: the record is a consent record of kioskID signed by pub that
// names requestID among the requests it covers; the checkpoint is a note
// signed by pub under ConsentOrigin(kioskID); and the record is at
// LeafIndex in the tree it commits to. The checking is the consent
// package's own (consent.VerifyRecord, consent.VerifyInclusion), so the
// kiosk's ledger and INE's side cannot drift apart. It does not know which
// consents were used before: the relying party must refuse a record already
// used for another request (docs/protocol.md).
func (p *ConsentProof) Verify(kioskID, requestID string, pub ed25519.PublicKey) (*Checkpoint, error) {
	if err := p.wellFormed(); err != nil {
		return nil, err
	}
	rec, err := consent.VerifyRecord(p.Record, pub)
	if err != nil {
		return nil, fmt.Errorf("uplink: %w: %v", ErrConsent, err)
	}
	if rec.KioskID != kioskID {
		return nil, fmt.Errorf("uplink: %w: the consent record is another kiosk's", ErrConsent)
	}
	if !slices.Contains(rec.Requests, requestID) {
		return nil, fmt.Errorf("uplink: %w", ErrConsentNotBound)
	}
	cp, err := consent.VerifyInclusion(p.RecordHash, p.LeafIndex, p.Checkpoint, p.Proof, ConsentOrigin(kioskID), pub)
	if err != nil {
		return nil, fmt.Errorf("uplink: %w: %v", ErrConsent, err)
	}
	return &cp, nil
}
