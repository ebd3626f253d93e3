package uplink

import (
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/ventanilla-mx/ventanilla/devicekey"
	"golang.org/x/mod/sumdb/note"
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
func ConsentOrigin(kioskID string) string { return "ventanilla.mx/consent/" + kioskID }

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

// Checkpoint is a parsed C2SP checkpoint.
type Checkpoint struct {
	Origin string
	Size   int64
	Root   tlog.Hash
}

// Verify checks the proof for kioskID, whose device key is pub: the
// checkpoint is a note signed by pub under ConsentOrigin(kioskID), and the
// record hash is at LeafIndex in the tree it commits to.
func (p *ConsentProof) Verify(kioskID string, pub ed25519.PublicKey) (*Checkpoint, error) {
	if err := p.wellFormed(); err != nil {
		return nil, err
	}
	origin := ConsentOrigin(kioskID)
	v, err := devicekey.NoteVerifier(origin, pub)
	if err != nil {
		return nil, fmt.Errorf("uplink: %w: %v", ErrConsent, err)
	}
	n, err := note.Open(p.Checkpoint, note.VerifierList(v))
	if err != nil {
		return nil, fmt.Errorf("uplink: %w: checkpoint signature: %v", ErrConsent, err)
	}
	cp, err := ParseCheckpoint(n.Text)
	if err != nil {
		return nil, err
	}
	if cp.Origin != origin {
		return nil, fmt.Errorf("uplink: %w: checkpoint origin is not this kiosk's log", ErrConsent)
	}
	if p.LeafIndex >= cp.Size {
		return nil, fmt.Errorf("uplink: %w: leaf index beyond the checkpoint", ErrConsent)
	}
	if err := tlog.CheckRecord(p.Proof, cp.Size, cp.Root, p.LeafIndex, p.RecordHash); err != nil {
		return nil, fmt.Errorf("uplink: %w: inclusion: %v", ErrConsent, err)
	}
	return cp, nil
}

// ParseCheckpoint parses C2SP checkpoint text: origin, decimal size, base64
// root hash, then optional extension lines.
func ParseCheckpoint(text string) (*Checkpoint, error) {
	lines := strings.SplitN(text, "\n", 4)
	if len(lines) < 4 || lines[0] == "" {
		return nil, fmt.Errorf("uplink: %w: checkpoint text needs origin, size and root lines", ErrConsent)
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || size < 1 || strconv.FormatInt(size, 10) != lines[1] {
		return nil, fmt.Errorf("uplink: %w: checkpoint size", ErrConsent)
	}
	root, err := base64.StdEncoding.Strict().DecodeString(lines[2])
	if err != nil || len(root) != tlog.HashSize {
		return nil, fmt.Errorf("uplink: %w: checkpoint root hash", ErrConsent)
	}
	cp := &Checkpoint{Origin: lines[0], Size: size}
	copy(cp.Root[:], root)
	return cp, nil
}

// FormatCheckpoint renders checkpoint text (no extension lines).
func FormatCheckpoint(cp Checkpoint) string {
	return fmt.Sprintf("%s\n%d\n%s\n", cp.Origin, cp.Size, base64.StdEncoding.EncodeToString(cp.Root[:]))
}
