package consent

import (
	"fmt"
	"slices"
	"time"
)

// Magic strings open each canonical encoding; they name the format version.
const (
	statementMagic = "ventanilla.mx/consent/v1\n"
	// recordSigContext prefixes the bytes the device key signs. The NUL byte
	// keeps it disjoint from signed-note texts (checkpoints), which never
	// contain one.
	recordSigContext = "ventanilla.mx consent record signature v1\x00"
)

// Limits of the canonical encoding; a decoder refuses more.
const (
	maxToken    = 128
	maxList     = 64
	maxSealed   = 4 << 20
	signatureSz = 64
)

// ClockState says whether the kiosk clock was synchronized when a consent
// was signed.
type ClockState uint8

// Clock states, as encoded.
const (
	ClockUnknown      ClockState = 0 // the kiosk could not tell
	ClockSynchronized ClockState = 1 // kernel reports NTP-disciplined time
	ClockUnsynced     ClockState = 2 // kernel reports the clock is not synchronized
)

func (s ClockState) String() string {
	switch s {
	case ClockUnknown:
		return "unknown"
	case ClockSynchronized:
		return "synchronized"
	case ClockUnsynced:
		return "unsynchronized"
	}
	return fmt.Sprintf("ClockState(%d)", uint8(s))
}

// ClockSync is the clock-synchronization state recorded with the time.
type ClockSync struct {
	State ClockState
	// MaxErrorMillis is the kernel's estimate of the maximum clock error,
	// saturated at 2^32-1; 0 when unknown.
	MaxErrorMillis uint32
}

// Notice identifies the exact privacy notice shown to the citizen.
type Notice struct {
	ID      string   // token, e.g. "aviso-integral"
	Version string   // token, e.g. "2025-01"
	SHA256  [32]byte // SHA-256 of the exact text shown (see NoticeDigest)
}

// Statement is what the citizen consents to. Its canonical bytes
// (Statement.Bytes) are what an e.firma signs. It holds no personal data.
type Statement struct {
	ID         ID
	KioskID    string // token
	OperatorID string // token; the clerk's staff identifier
	Time       time.Time
	Clock      ClockSync
	Notice     Notice
	Purposes   []string // tokens, sorted, unique
	Requests   []string // verification request ids covered (tokens), sorted, unique
}

// Evidence is a bit set of the kinds of signature evidence sealed in a
// record.
type Evidence uint8

// Evidence kinds.
const (
	EvidenceHandwritten Evidence = 1 << 0 // strokes drawn on the kiosk screen
	EvidenceEFirma      Evidence = 1 << 1 // SAT e.firma over the statement
	// EvidenceTyped: the acceptance phrase typed on the kiosk keyboard, for
	// a citizen who cannot sign on the screen (issue 13). Its sealed fields
	// are version 2; a verifier that predates it refuses the record.
	EvidenceTyped = 1 << 2
	evidenceAll   = EvidenceHandwritten | EvidenceEFirma | EvidenceTyped
)

// Sealed is an HPKE ciphertext (encapsulated key followed by the AEAD
// ciphertext) of a record's personal fields, with its ciphersuite.
type Sealed struct {
	KEM, KDF, AEAD uint16
	Data           []byte
}

// Record is a signed consent record. Its canonical bytes (Record.Bytes) are
// the Merkle leaf: the leaf hash is tlog.RecordHash(r.Bytes()).
type Record struct {
	Statement
	Evidence  Evidence
	Sealed    Sealed
	Signature []byte // Ed25519 by the device key over recordSigContext || body
}

// Bytes returns the canonical encoding of s.
func (s *Statement) Bytes() ([]byte, error) {
	if err := s.validate(); err != nil {
		return nil, err
	}
	e := &encoder{}
	s.encode(e)
	return e.b, nil
}

func (s *Statement) encode(e *encoder) {
	e.raw([]byte(statementMagic))
	e.raw(s.ID[:])
	e.str16(s.KioskID)
	e.str16(s.OperatorID)
	e.i64(s.Time.UnixNano())
	e.u8(uint8(s.Clock.State))
	e.u32(s.Clock.MaxErrorMillis)
	e.str16(s.Notice.ID)
	e.str16(s.Notice.Version)
	e.raw(s.Notice.SHA256[:])
	encodeTokens(e, s.Purposes)
	encodeTokens(e, s.Requests)
}

func encodeTokens(e *encoder, l []string) {
	e.u16(uint16(len(l)))
	for _, t := range l {
		e.str16(t)
	}
}

func (s *Statement) validate() error {
	if !s.ID.Valid() {
		return fmt.Errorf("consent: statement: id %s is not a UUIDv7", s.ID)
	}
	if y := s.Time.UTC().Year(); y < 1970 || y > 2261 {
		return fmt.Errorf("consent: statement %s: time %v outside 1970..2261", s.ID, s.Time)
	}
	if s.Clock.State > ClockUnsynced {
		return fmt.Errorf("consent: statement %s: unknown clock state %d", s.ID, s.Clock.State)
	}
	fields := [...]struct{ what, v string }{{"kiosk id", s.KioskID}, {"operator id", s.OperatorID},
		{"notice id", s.Notice.ID}, {"notice version", s.Notice.Version}}
	for _, f := range fields {
		if err := checkToken(f.v); err != nil {
			return fmt.Errorf("consent: statement %s: %s: %w", s.ID, f.what, err)
		}
	}
	if err := checkTokenSet(s.Purposes, false); err != nil {
		return fmt.Errorf("consent: statement %s: purposes: %w", s.ID, err)
	}
	if err := checkTokenSet(s.Requests, true); err != nil {
		return fmt.Errorf("consent: statement %s: request ids: %w", s.ID, err)
	}
	return nil
}

// checkToken enforces the token alphabet [A-Za-z0-9._:-], 1..128 bytes. The
// narrow alphabet keeps free text (and so personal data) out of the clear
// part of a record.
func checkToken(s string) error {
	if len(s) == 0 || len(s) > maxToken {
		return fmt.Errorf("length %d not in 1..%d", len(s), maxToken)
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			c == '.' || c == '_' || c == ':' || c == '-'
		if !ok {
			return fmt.Errorf("byte %d (0x%02x) outside [A-Za-z0-9._:-]", i, c)
		}
	}
	return nil
}

func checkTokenSet(l []string, emptyOK bool) error {
	if len(l) == 0 && !emptyOK {
		return fmt.Errorf("empty")
	}
	if len(l) > maxList {
		return fmt.Errorf("%d entries, limit %d", len(l), maxList)
	}
	for i, t := range l {
		if err := checkToken(t); err != nil {
			return fmt.Errorf("entry %d: %w", i, err)
		}
		if i > 0 && l[i-1] >= t {
			return fmt.Errorf("entry %d: not sorted and unique", i)
		}
	}
	return nil
}

// SortTokens returns a sorted copy of l without duplicates, the canonical
// order for Purposes and Requests.
func SortTokens(l []string) []string {
	c := slices.Clone(l)
	slices.Sort(c)
	return slices.Compact(c)
}

// Body returns the canonical bytes the device signature covers: the
// statement, the evidence kinds and the sealed box.
func (r *Record) Body() ([]byte, error) {
	if err := r.validate(); err != nil {
		return nil, err
	}
	e := &encoder{b: make([]byte, 0, 1024+len(r.Sealed.Data))}
	r.Statement.encode(e)
	e.u8(uint8(r.Evidence))
	e.u16(r.Sealed.KEM)
	e.u16(r.Sealed.KDF)
	e.u16(r.Sealed.AEAD)
	e.blob32(r.Sealed.Data)
	return e.b, nil
}

// validate checks what Body needs to encode r.
func (r *Record) validate() error {
	if err := r.Statement.validate(); err != nil {
		return err
	}
	if r.Evidence == 0 || r.Evidence&^evidenceAll != 0 {
		return fmt.Errorf("consent: record %s: evidence kinds 0x%02x invalid", r.ID, uint8(r.Evidence))
	}
	if len(r.Sealed.Data) == 0 || len(r.Sealed.Data) > maxSealed {
		return fmt.Errorf("consent: record %s: sealed box of %d bytes", r.ID, len(r.Sealed.Data))
	}
	return nil
}

// Bytes returns the canonical encoding of r: its body followed by the
// 64-byte signature. These are the bytes of the Merkle leaf.
func (r *Record) Bytes() ([]byte, error) {
	b, err := r.Body()
	if err != nil {
		return nil, err
	}
	if len(r.Signature) != signatureSz {
		return nil, fmt.Errorf("consent: record %s: signature of %d bytes, want %d", r.ID, len(r.Signature), signatureSz)
	}
	return append(b, r.Signature...), nil
}
