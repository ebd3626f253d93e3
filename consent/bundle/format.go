package bundle

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"golang.org/x/mod/sumdb/tlog"
)

// Format and Version name this bundle format. Version 2 signs the header
// and proves a period's boundaries; a reader also accepts version 1, which
// Verify reports as unproven unless the auditor allows it
// (VerifyOpts.AllowV1). Other versions are refused.
const (
	Format    = "ventanilla.mx/consent-bundle"
	Version   = 2
	VersionV1 = 1
)

// Limits a reader enforces.
const (
	maxLine  = 8 << 20 // bytes per line (a record's sealed box is at most 4 MiB)
	maxProof = 64      // hashes per proof (a tree of 2^63 leaves needs 63)
)

// ErrFormat wraps every reason a file is not a well-formed bundle.
var ErrFormat = errors.New("bundle: not a well-formed consent bundle")

// Header is the first line of a bundle.
type Header struct {
	Format     string    `json:"format"`
	Version    int       `json:"version"`
	Origin     string    `json:"origin"`     // ventanilla.mx/consent/<kiosk-id>
	PublicKey  []byte    `json:"public_key"` // Ed25519 device key, 32 bytes
	Checkpoint string    `json:"checkpoint"` // signed note every proof is against
	Created    time.Time `json:"created"`
	Selection  string    `json:"selection"` // what the exporter was asked for, for people
	// Period (version 2) is the [Since, Until) a period export was asked
	// for. Range then holds the first and last record whose time is in it,
	// and the entries run from the neighbour before First (unless First is
	// 0) to the neighbour after Last (unless Last is the tree's last leaf):
	// their times, outside the period, prove the range's boundaries.
	Period *Period `json:"period,omitempty"`
	// Range, if set, promises an entry for every leaf index in
	// [First, Last], in order: a record missing from the store shows as a gap.
	Range *Range `json:"range,omitempty"`
	// IDs (version 2) are the record ids an id export was asked for; each
	// must appear exactly once.
	IDs         []string     `json:"ids,omitempty"`
	Consistency *Consistency `json:"consistency,omitempty"`
	// Signature (version 2) is Ed25519 by the device key over
	// headerSigContext || the canonical encoding of every other field.
	Signature []byte `json:"signature,omitempty"`
}

// Period is the half-open time interval [Since, Until) of a period export.
type Period struct {
	Since time.Time `json:"since"`
	Until time.Time `json:"until"`
}

// Contains reports whether t is in [Since, Until).
func (p *Period) Contains(t time.Time) bool { return !t.Before(p.Since) && t.Before(p.Until) }

// Consistency proves the bundle's checkpoint extends an earlier one.
type Consistency struct {
	OldCheckpoint string   `json:"old_checkpoint"` // signed note
	Proof         [][]byte `json:"proof"`          // tlog.ProveTree hashes
}

// Range is an inclusive range of leaf indexes.
type Range struct {
	First int64 `json:"first"`
	Last  int64 `json:"last"`
}

// Entry is one record with its inclusion proof.
type Entry struct {
	Index  int64    `json:"index"`  // leaf index in the log
	Record []byte   `json:"record"` // canonical record bytes
	Proof  [][]byte `json:"proof"`  // tlog.ProveRecord hashes
}

// trailer is the last line; its count catches a truncated file.
type trailer struct {
	Records int64 `json:"records"`
}

type lastLine struct {
	End *trailer `json:"end"`
}

// Writer writes a bundle.
type Writer struct {
	bw  *bufio.Writer
	n   int64
	err error
}

// NewWriter signs the header with the device key and writes it to w.
// Format, Version and Signature are filled in.
func NewWriter(w io.Writer, h *Header, s Signer) (*Writer, error) {
	h.Format, h.Version = Format, Version
	if err := h.sign(s); err != nil {
		return nil, err
	}
	bw := &Writer{bw: bufio.NewWriterSize(w, 64<<10)}
	bw.line(h)
	return bw, bw.err
}

func (w *Writer) line(v any) {
	if w.err != nil {
		return
	}
	b, err := json.Marshal(v)
	if err != nil {
		w.err = fmt.Errorf("bundle: encode: %w", err)
		return
	}
	if _, err := w.bw.Write(append(b, '\n')); err != nil {
		w.err = fmt.Errorf("bundle: write: %w", err)
	}
}

// Add writes one record.
func (w *Writer) Add(e *Entry) error {
	w.line(e)
	w.n++
	return w.err
}

// Close writes the trailer and flushes; it does not close the underlying
// writer.
func (w *Writer) Close() error {
	w.line(lastLine{End: &trailer{Records: w.n}})
	if w.err == nil {
		if err := w.bw.Flush(); err != nil {
			w.err = fmt.Errorf("bundle: write: %w", err)
		}
	}
	return w.err
}

// ProofHashes converts a tlog proof for an Entry or Consistency.
func ProofHashes(p []tlog.Hash) [][]byte {
	out := make([][]byte, len(p))
	for i := range p {
		out[i] = p[i][:]
	}
	return out
}

// TlogHashes converts proof hashes back; every hash must be 32 bytes.
func TlogHashes(p [][]byte) ([]tlog.Hash, error) {
	if len(p) > maxProof {
		return nil, fmt.Errorf("%d proof hashes, limit %d", len(p), maxProof)
	}
	out := make([]tlog.Hash, len(p))
	for i, h := range p {
		if len(h) != tlog.HashSize {
			return nil, fmt.Errorf("proof hash %d is %d bytes, want 32", i, len(h))
		}
		out[i] = tlog.Hash(h)
	}
	return out, nil
}

// Reader reads a bundle line by line.
type Reader struct {
	sc   *bufio.Scanner
	hdr  Header
	line int
	n    int64
	done bool
}

// NewReader reads and checks the header.
func NewReader(r io.Reader) (*Reader, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), maxLine)
	br := &Reader{sc: sc}
	b, err := br.next()
	if err != nil {
		return nil, err
	}
	if err := strict(b, &br.hdr); err != nil {
		return nil, fmt.Errorf("%w: line 1 (header): %v", ErrFormat, err)
	}
	if br.hdr.Format != Format || (br.hdr.Version != Version && br.hdr.Version != VersionV1) {
		return nil, fmt.Errorf("%w: line 1: format %q version %d, this tool reads %q versions %d and %d",
			ErrFormat, br.hdr.Format, br.hdr.Version, Format, VersionV1, Version)
	}
	return br, nil
}

// Header returns the bundle header.
func (r *Reader) Header() *Header { return &r.hdr }

// Line returns the line number of the last entry Next returned.
func (r *Reader) Line() int { return r.line }

func (r *Reader) next() ([]byte, error) {
	if !r.sc.Scan() {
		if err := r.sc.Err(); err != nil {
			return nil, fmt.Errorf("%w: after line %d: %v", ErrFormat, r.line, err)
		}
		return nil, fmt.Errorf("%w: truncated after line %d (no trailer)", ErrFormat, r.line)
	}
	r.line++
	return r.sc.Bytes(), nil
}

// Next returns the next entry, or io.EOF after a trailer whose count matches
// and nothing after it. A malformed record line is an error wrapping
// ErrFormat that names the line; the reader stays usable, so callers may
// report it and go on.
func (r *Reader) Next() (*Entry, error) {
	if r.done {
		return nil, io.EOF
	}
	b, err := r.next()
	if err != nil {
		r.done = true
		return nil, err
	}
	if bytes.HasPrefix(b, []byte(`{"end"`)) {
		return nil, r.finish(b)
	}
	r.n++
	e, err := decodeEntry(b)
	if err != nil {
		return nil, &EntryError{Line: r.line, Err: err}
	}
	return e, nil
}

// EntryError is a malformed record line. It wraps ErrFormat; reading may go
// on after it.
type EntryError struct {
	Line int
	Err  error
}

func (e *EntryError) Error() string {
	return fmt.Sprintf("bundle: line %d: malformed record line: %v", e.Line, e.Err)
}

// Unwrap makes errors.Is(err, ErrFormat) hold.
func (e *EntryError) Unwrap() error { return ErrFormat }

func (r *Reader) finish(b []byte) error {
	r.done = true
	var l lastLine
	if err := strict(b, &l); err != nil || l.End == nil {
		return fmt.Errorf("%w: line %d (trailer): %v", ErrFormat, r.line, err)
	}
	if l.End.Records != r.n {
		return fmt.Errorf("%w: trailer says %d records, file has %d", ErrFormat, l.End.Records, r.n)
	}
	if r.sc.Scan() {
		return fmt.Errorf("%w: data after the trailer on line %d", ErrFormat, r.line+1)
	}
	if err := r.sc.Err(); err != nil {
		return fmt.Errorf("%w: after the trailer: %v", ErrFormat, err)
	}
	return io.EOF
}

// strict decodes exactly one JSON object with no unknown fields.
func strict(b []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		return err
	}
	if len(bytes.TrimSpace(b[d.InputOffset():])) != 0 {
		return errors.New("more than one JSON value on the line")
	}
	return nil
}

// Selected reports whether the entry at leaf index idx is one the export
// was asked for, rather than a neighbour that proves a period's boundary.
func (h *Header) Selected(idx int64) bool {
	return h.Version == VersionV1 || h.Period == nil || h.Range == nil || (idx >= h.Range.First && idx <= h.Range.Last)
}
