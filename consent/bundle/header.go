package bundle

import (
	"crypto/ed25519"
	"encoding/binary"
	"errors"
	"fmt"
	"time"
)

// headerSigContext prefixes the header bytes the device key signs. The NUL
// keeps these signatures disjoint from signed notes (checkpoints), whose
// text never holds one, and the name from record signatures.
const headerSigContext = "ventanilla.mx consent bundle header signature v2\x00"

// headerMagic starts the canonical header encoding that is signed.
const headerMagic = "ventanilla.mx/consent-bundle-header/v2\n"

// Signer is the device key as the exporter needs it (devicekey.Signer
// satisfies it).
type Signer interface {
	Sign(msg []byte) ([]byte, error)
	Public() ed25519.PublicKey
}

// ErrHeaderSignature means a version-2 header is unsigned, or its signature
// does not verify under the device key: the header (range, period, ids,
// selection) was edited after export.
var ErrHeaderSignature = errors.New("bundle: header signature does not verify")

// signedBytes is the canonical encoding of every header field but the
// signature: fixed-width big-endian integers, u16- or u32-length-prefixed
// strings, a presence byte before each optional part.
func (h *Header) signedBytes() ([]byte, error) {
	if len(h.Origin) > 0xffff || len(h.Selection) > 0xffff || len(h.IDs) > 0xffff {
		return nil, fmt.Errorf("%w: header field too long to sign", ErrFormat)
	}
	b := append([]byte(headerMagic), 0, 0, 0, 0)
	binary.BigEndian.PutUint32(b[len(headerMagic):], uint32(h.Version))
	b = str16(b, h.Origin)
	b = blob32(b, h.PublicKey)
	b = blob32(b, []byte(h.Checkpoint))
	b = appendTime(b, h.Created)
	b = str16(b, h.Selection)
	b = append(b, flag(h.Period != nil))
	if h.Period != nil {
		b = appendTime(appendTime(b, h.Period.Since), h.Period.Until)
	}
	b = append(b, flag(h.Range != nil))
	if h.Range != nil {
		b = binary.BigEndian.AppendUint64(b, uint64(h.Range.First))
		b = binary.BigEndian.AppendUint64(b, uint64(h.Range.Last))
	}
	b = binary.BigEndian.AppendUint16(b, uint16(len(h.IDs)))
	for _, id := range h.IDs {
		b = str16(b, id)
	}
	return h.appendConsistency(b)
}

func (h *Header) appendConsistency(b []byte) ([]byte, error) {
	b = append(b, flag(h.Consistency != nil))
	if c := h.Consistency; c != nil {
		if len(c.Proof) > 0xffff {
			return nil, fmt.Errorf("%w: consistency proof too long to sign", ErrFormat)
		}
		b = blob32(b, []byte(c.OldCheckpoint))
		b = binary.BigEndian.AppendUint16(b, uint16(len(c.Proof)))
		for _, p := range c.Proof {
			b = blob32(b, p)
		}
	}
	return b, nil
}

func flag(v bool) byte {
	if v {
		return 1
	}
	return 0
}

func str16(b []byte, s string) []byte {
	return append(binary.BigEndian.AppendUint16(b, uint16(len(s))), s...)
}

func blob32(b, p []byte) []byte {
	return append(binary.BigEndian.AppendUint32(b, uint32(len(p))), p...)
}

// appendTime writes Unix seconds (i64) and nanoseconds (u32), so any time
// JSON can carry round-trips exactly.
func appendTime(b []byte, t time.Time) []byte {
	b = binary.BigEndian.AppendUint64(b, uint64(t.Unix()))
	return binary.BigEndian.AppendUint32(b, uint32(t.Nanosecond()))
}

// sign fills in the header signature with the device key.
func (h *Header) sign(s Signer) error {
	if s == nil {
		return fmt.Errorf("bundle: a version-%d header must be signed with the device key", Version)
	}
	b, err := h.signedBytes()
	if err != nil {
		return err
	}
	sig, err := s.Sign(append([]byte(headerSigContext), b...))
	if err != nil {
		return fmt.Errorf("bundle: sign header: %w", err)
	}
	h.Signature = sig
	return nil
}

// verifySignature checks the header signature under pub.
func (h *Header) verifySignature(pub ed25519.PublicKey) error {
	if len(h.Signature) != ed25519.SignatureSize {
		return fmt.Errorf("%w: signature missing or not %d bytes", ErrHeaderSignature, ed25519.SignatureSize)
	}
	b, err := h.signedBytes()
	if err != nil {
		return err
	}
	if !ed25519.Verify(pub, append([]byte(headerSigContext), b...), h.Signature) {
		return ErrHeaderSignature
	}
	return nil
}
