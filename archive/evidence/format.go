package evidence

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"
)

// Format and Version name the bundle format.
const (
	Format  = "ventanilla.mx/archive-evidence"
	Version = 1
	sigCtx  = "ventanilla.mx archive evidence signature v1\x00"
	maxLine = 8 << 20
)

// Header is the first line.
type Header struct {
	Format     string    `json:"format"`
	Version    int       `json:"version"`
	Archive    string    `json:"archive"`     // the archive's note signer name
	ArchiveKey []byte    `json:"archive_key"` // Ed25519 public key
	Created    time.Time `json:"created"`
	Selection  Selection `json:"selection"`
	Kiosks     []Kiosk   `json:"kiosks"`
}

// Selection is what INE asked for: a request id, or a credential's lookup
// commitment with a period of statement times [Since, Until). After a
// lookup-key rotation the credential has one commitment per key the
// archive holds: Lookup is the first, Lookups the others, and a binding
// carrying any of them is selected. Lookups is omitted with one key, so
// such a bundle reads as before; a verifier that predates it refuses a
// bundle that has it (unknown field) rather than check one of several.
type Selection struct {
	Request string     `json:"request,omitempty"`
	Lookup  []byte     `json:"lookup,omitempty"`
	Lookups [][]byte   `json:"lookups,omitempty"`
	Since   *time.Time `json:"since,omitempty"`
	Until   *time.Time `json:"until,omitempty"`
}

// Commitments is every lookup commitment the selection names.
func (s Selection) Commitments() [][]byte {
	if s.Lookup == nil {
		return s.Lookups
	}
	return append([][]byte{s.Lookup}, s.Lookups...)
}

// Kiosk carries one kiosk's key and its countersigned checkpoint.
type Kiosk struct {
	ID         string `json:"kiosk"`
	PublicKey  []byte `json:"public_key"`
	Checkpoint []byte `json:"checkpoint"` // kiosk-signed and archive-countersigned note
}

// Item is one record line.
type Item struct {
	Kiosk    string   `json:"kiosk"`
	Index    int64    `json:"index"`
	LeafHash []byte   `json:"leaf_hash"`
	Record   []byte   `json:"record,omitempty"` // absent once erased (retention)
	Binding  []byte   `json:"binding,omitempty"`
	Proof    [][]byte `json:"proof"`
}

type trailer struct {
	End struct {
		Records   int    `json:"records"`
		Signature []byte `json:"signature"`
	} `json:"end"`
}

// Signer signs the bundle digest (the archive key).
type Signer interface {
	Sign(msg []byte) ([]byte, error)
}

// Write writes header, items and the signed trailer to w.
func Write(w io.Writer, h *Header, items []Item, s Signer) error {
	h.Format, h.Version = Format, Version
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	if err := enc.Encode(h); err != nil {
		return err
	}
	for i := range items {
		if err := enc.Encode(&items[i]); err != nil {
			return err
		}
	}
	d := sha256.Sum256(buf.Bytes())
	sig, err := s.Sign(append([]byte(sigCtx), d[:]...))
	if err != nil {
		return fmt.Errorf("evidence: sign: %w", err)
	}
	var t trailer
	t.End.Records, t.End.Signature = len(items), sig
	if err := enc.Encode(&t); err != nil {
		return err
	}
	_, err = w.Write(buf.Bytes())
	return err
}

// Bundle is a parsed bundle whose archive signature has been checked.
type Bundle struct {
	Header Header
	Items  []Item
}

// Parse reads a bundle, checks its framing and the archive's signature
// over every byte before the trailer (under the key in the header; Verify
// compares that key with the one the auditor trusts).
func Parse(r io.Reader) (*Bundle, error) {
	raw, err := io.ReadAll(io.LimitReader(r, 1<<31))
	if err != nil {
		return nil, err
	}
	lines := bytes.SplitAfter(raw, []byte("\n"))
	if len(lines) < 3 || len(lines[len(lines)-1]) != 0 {
		return nil, errors.New("evidence: want header, records and trailer, each ending in a newline")
	}
	lines = lines[:len(lines)-1]
	b := &Bundle{}
	if err := decodeStrict(lines[0], &b.Header); err != nil {
		return nil, fmt.Errorf("evidence: header: %w", err)
	}
	if b.Header.Format != Format || b.Header.Version != Version {
		return nil, fmt.Errorf("evidence: format %q version %d, want %s version %d", b.Header.Format, b.Header.Version, Format, Version)
	}
	for i, l := range lines[1 : len(lines)-1] {
		var it Item
		if err := decodeStrict(l, &it); err != nil {
			return nil, fmt.Errorf("evidence: line %d: %w", i+2, err)
		}
		b.Items = append(b.Items, it)
	}
	return b, checkTrailer(b, raw, lines)
}

func checkTrailer(b *Bundle, raw []byte, lines [][]byte) error {
	var t trailer
	last := lines[len(lines)-1]
	if err := decodeStrict(last, &t); err != nil {
		return fmt.Errorf("evidence: trailer: %w", err)
	}
	if t.End.Records != len(b.Items) {
		return fmt.Errorf("evidence: trailer counts %d records, bundle has %d", t.End.Records, len(b.Items))
	}
	if len(b.Header.ArchiveKey) != ed25519.PublicKeySize {
		return errors.New("evidence: archive key is not an Ed25519 public key")
	}
	d := sha256.Sum256(raw[:len(raw)-len(last)])
	if !ed25519.Verify(b.Header.ArchiveKey, append([]byte(sigCtx), d[:]...), t.End.Signature) {
		return errors.New("evidence: the archive's signature over the bundle does not verify")
	}
	return nil
}

func decodeStrict(line []byte, v any) error {
	if len(line) > maxLine {
		return fmt.Errorf("line over %d bytes", maxLine)
	}
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("data after the object")
	}
	return nil
}
