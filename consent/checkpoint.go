package consent

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

// OriginPrefix starts every consent log origin; the kiosk id follows.
const OriginPrefix = "ventanilla.mx/consent/"

// ErrCheckpoint wraps every reason a checkpoint is not accepted: bad
// signature, wrong origin or key, malformed text. Not retryable.
var ErrCheckpoint = errors.New("consent: checkpoint rejected")

// Origin returns the log origin (and checkpoint signer name) of a kiosk.
func Origin(kioskID string) string { return OriginPrefix + kioskID }

// Checkpoint commits a consent log: its origin, tree size and root hash.
type Checkpoint struct {
	Origin string
	Size   int64
	Root   tlog.Hash
}

// Text returns the C2SP checkpoint body: origin, decimal size and base64
// root hash, one per line.
func (c Checkpoint) Text() string {
	return fmt.Sprintf("%s\n%d\n%s\n", c.Origin, c.Size, base64.StdEncoding.EncodeToString(c.Root[:]))
}

// ParseCheckpointText parses a checkpoint body. It accepts exactly the three
// lines Text writes (no extension lines) in canonical form.
func ParseCheckpointText(text string) (Checkpoint, error) {
	lines := strings.SplitAfter(text, "\n")
	if len(lines) != 4 || lines[3] != "" {
		return Checkpoint{}, fmt.Errorf("%w: want 3 lines, have %d", ErrCheckpoint, len(lines)-1)
	}
	origin := strings.TrimSuffix(lines[0], "\n")
	if !strings.HasPrefix(origin, OriginPrefix) || checkToken(strings.TrimPrefix(origin, OriginPrefix)) != nil {
		return Checkpoint{}, fmt.Errorf("%w: origin %q is not %s<kiosk-id>", ErrCheckpoint, origin, OriginPrefix)
	}
	size, err := strconv.ParseInt(strings.TrimSuffix(lines[1], "\n"), 10, 64)
	if err != nil || size < 0 {
		return Checkpoint{}, fmt.Errorf("%w: tree size %q", ErrCheckpoint, strings.TrimSpace(lines[1]))
	}
	root, err := base64.StdEncoding.Strict().DecodeString(strings.TrimSuffix(lines[2], "\n"))
	if err != nil || len(root) != tlog.HashSize {
		return Checkpoint{}, fmt.Errorf("%w: root hash is not 32 bytes of base64", ErrCheckpoint)
	}
	c := Checkpoint{Origin: origin, Size: size, Root: tlog.Hash(root)}
	if c.Text() != text {
		return Checkpoint{}, fmt.Errorf("%w: text not in canonical form", ErrCheckpoint)
	}
	return c, nil
}

// SignCheckpoint returns c as a signed note, signed by the device key under
// the name c.Origin.
func SignCheckpoint(c Checkpoint, s devicekey.Signer) ([]byte, error) {
	ns, err := devicekey.NoteSigner(c.Origin, s)
	if err != nil {
		return nil, fmt.Errorf("consent: sign checkpoint: %w", err)
	}
	msg, err := note.Sign(&note.Note{Text: c.Text()}, ns)
	if err != nil {
		return nil, fmt.Errorf("consent: sign checkpoint: %w", err)
	}
	return msg, nil
}

// OpenCheckpoint verifies a signed checkpoint against the device public key
// pub and the expected origin, and parses it.
func OpenCheckpoint(msg []byte, origin string, pub ed25519.PublicKey) (Checkpoint, error) {
	v, err := devicekey.NoteVerifier(origin, pub)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("%w: %v", ErrCheckpoint, err)
	}
	n, err := note.Open(msg, note.VerifierList(v))
	if err != nil {
		return Checkpoint{}, fmt.Errorf("%w: signature by %s with this key: %v", ErrCheckpoint, origin, err)
	}
	c, err := ParseCheckpointText(n.Text)
	if err != nil {
		return Checkpoint{}, err
	}
	if c.Origin != origin {
		return Checkpoint{}, fmt.Errorf("%w: origin %q, want %q", ErrCheckpoint, c.Origin, origin)
	}
	return c, nil
}

// VerifyInclusion is what a relying party (INE) runs on the consent proof in
// a verification request: the checkpoint is signed by pub as origin, and the
// record hash is leaf index of the tree it commits. It returns the
// checkpoint.
func VerifyInclusion(recordHash tlog.Hash, index int64, checkpoint []byte, proof tlog.RecordProof, origin string, pub ed25519.PublicKey) (Checkpoint, error) {
	c, err := OpenCheckpoint(checkpoint, origin, pub)
	if err != nil {
		return Checkpoint{}, err
	}
	if index < 0 || index >= c.Size {
		return Checkpoint{}, fmt.Errorf("consent: inclusion proof: leaf index %d outside tree of size %d", index, c.Size)
	}
	if err := tlog.CheckRecord(proof, c.Size, c.Root, index, recordHash); err != nil {
		return Checkpoint{}, fmt.Errorf("consent: inclusion proof for leaf %d in tree %d: %w", index, c.Size, err)
	}
	return c, nil
}
