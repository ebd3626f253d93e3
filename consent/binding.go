package consent

import (
	"bytes"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/hpke"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/ventanilla-mx/ventanilla/devicekey"
	"golang.org/x/mod/sumdb/tlog"
)

// Binding format (docs/consent.md, "Identity binding"). A record is signed
// before the credential is typed, so the identity it was used for is bound
// afterwards, by a second signed object naming the record's leaf hash.
const (
	bindingMagic      = "ventanilla.mx/consent-binding/v1\n"
	identityMagic     = "ventanilla.mx/consent-identity/v1\n"
	bindingSigContext = "ventanilla.mx consent binding signature v1\x00"
	bindingSealInfo   = "ventanilla.mx/consent/binding-seal/v1"
	lookupContext     = "ventanilla.mx consent lookup v1\x00"
	// LookupKeySize is the size of the archive's lookup (HMAC) key.
	LookupKeySize = 32
)

// Outcome says what became of the session a consent was signed for.
type Outcome uint8

const (
	// OutcomeVerified: the consent backed a verification request sent to INE.
	OutcomeVerified Outcome = 1
	// OutcomeCancelled: the session ended before any request was sent.
	OutcomeCancelled Outcome = 2
)

// Identity is what the clerk entered for the holder: sealed in a binding.
type Identity struct {
	Name        string
	Credentials []Credential
}

// Binding ties a consent record (by leaf hash and id) to the outcome of its
// session, the lookup commitments of the credentials entered, and the
// identity sealed to the archive key.
type Binding struct {
	RecordHash tlog.Hash
	RecordID   ID
	KioskID    string
	Time       time.Time
	Outcome    Outcome
	Lookups    [][32]byte // HMAC commitments, strictly ascending; none when cancelled
	Sealed     Sealed     // Identity, sealed; aad = the binding's clear fields
	Signature  []byte
}

// LookupCommitment is HMAC-SHA256(key, context ‖ kind ‖ 0 ‖ value): the
// archive finds one credential's bindings by it without opening any box.
// Without the key, a low-entropy credential number cannot be tested against
// it.
func LookupCommitment(key []byte, c Credential) [32]byte {
	return lookupCommitment(key, c.Kind, []byte(c.Value))
}

func lookupCommitment(key []byte, kind string, value []byte) [32]byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(lookupContext))
	m.Write([]byte(kind))
	m.Write([]byte{0})
	m.Write(value)
	var out [32]byte
	m.Sum(out[:0])
	return out
}

// BindingOpts are what NewBinding needs from the kiosk.
type BindingOpts struct {
	Archive hpke.PublicKey
	// LookupKey makes the lookup commitments; nil makes a binding without
	// any (it cannot be found by credential, only opened).
	LookupKey []byte
	Signer    devicekey.Signer
	// Alloc, when set, provides the buffer the identity plaintext is
	// encoded into before sealing (the kiosk passes locked memory) and
	// release, called once the buffer is wiped. Nil uses the heap.
	Alloc func(n int) (buf []byte, release func(), err error)
}

// Holder is an Identity whose personal values are byte slices the caller
// owns (the kiosk lends its locked credential buffers): NewHolderBinding
// reads them and never copies them outside the sealing buffer.
type Holder struct {
	Name        []byte
	Credentials []HolderCredential
}

// HolderCredential is one credential of a Holder: kind is a token (not
// personal), value is lent.
type HolderCredential struct {
	Kind  string
	Value []byte
}

// NewBinding binds record (canonical bytes) to id and outcome, seals id,
// and signs the binding. A cancelled session carries no lookups.
func NewBinding(record []byte, r *Record, outcome Outcome, id *Identity, at time.Time, o *BindingOpts) ([]byte, error) {
	h := &Holder{}
	if id != nil {
		h.Name = []byte(id.Name)
		for _, c := range id.Credentials {
			h.Credentials = append(h.Credentials, HolderCredential{Kind: c.Kind, Value: []byte(c.Value)})
		}
	}
	return NewHolderBinding(record, r, outcome, h, at, o)
}

// NewHolderBinding is NewBinding for an identity held in caller-owned
// (locked) memory.
func NewHolderBinding(record []byte, r *Record, outcome Outcome, h *Holder, at time.Time, o *BindingOpts) ([]byte, error) {
	if o.LookupKey != nil && len(o.LookupKey) != LookupKeySize {
		return nil, fmt.Errorf("consent: binding: lookup key must be %d bytes", LookupKeySize)
	}
	if h == nil {
		h = &Holder{}
	}
	b := &Binding{RecordHash: LeafHash(record), RecordID: r.ID, KioskID: r.KioskID, Time: at.UTC(), Outcome: outcome}
	if outcome == OutcomeVerified && o.LookupKey != nil {
		b.Lookups = lookups(o.LookupKey, h.Credentials)
	}
	clearPart, err := b.clearBytes()
	if err != nil {
		return nil, err
	}
	if b.Sealed, err = sealIdentity(o, clearPart, h); err != nil {
		return nil, err
	}
	body := b.body(clearPart)
	sig, err := o.Signer.Sign(append([]byte(bindingSigContext), body...))
	if err != nil {
		return nil, fmt.Errorf("consent: binding %s: device signature: %w", r.ID, err)
	}
	return append(body, sig...), nil
}

func lookups(key []byte, creds []HolderCredential) [][32]byte {
	var l [][32]byte
	for _, c := range creds {
		l = append(l, lookupCommitment(key, c.Kind, c.Value))
	}
	slices.SortFunc(l, func(a, b [32]byte) int { return bytes.Compare(a[:], b[:]) })
	return slices.Compact(l)
}

func (b *Binding) validate() error {
	switch {
	case b.Outcome != OutcomeVerified && b.Outcome != OutcomeCancelled:
		return fmt.Errorf("%w: binding outcome %d", ErrMalformed, b.Outcome)
	case b.Outcome == OutcomeCancelled && len(b.Lookups) != 0:
		return fmt.Errorf("%w: a cancelled binding has lookups", ErrMalformed)
	case len(b.Lookups) > maxList:
		return fmt.Errorf("%w: %d lookups, limit %d", ErrMalformed, len(b.Lookups), maxList)
	case !b.RecordID.Valid():
		return fmt.Errorf("%w: binding record id is not a UUIDv7", ErrMalformed)
	case b.Time.UnixNano() < 0:
		return fmt.Errorf("%w: binding time before 1970", ErrMalformed)
	}
	for i := 1; i < len(b.Lookups); i++ {
		if bytes.Compare(b.Lookups[i-1][:], b.Lookups[i][:]) >= 0 {
			return fmt.Errorf("%w: lookups not strictly ascending", ErrMalformed)
		}
	}
	return checkToken(b.KioskID)
}

// clearBytes is the part the seal is bound to (HPKE associated data).
func (b *Binding) clearBytes() ([]byte, error) {
	if err := b.validate(); err != nil {
		return nil, err
	}
	e := &encoder{}
	e.raw([]byte(bindingMagic))
	e.raw(b.RecordHash[:])
	e.raw(b.RecordID[:])
	e.str16(b.KioskID)
	e.i64(b.Time.UnixNano())
	e.u8(uint8(b.Outcome))
	e.u16(uint16(len(b.Lookups)))
	for _, l := range b.Lookups {
		e.raw(l[:])
	}
	return e.b, nil
}

func (b *Binding) body(clearPart []byte) []byte {
	e := &encoder{b: append([]byte(nil), clearPart...)}
	e.u16(b.Sealed.KEM)
	e.u16(b.Sealed.KDF)
	e.u16(b.Sealed.AEAD)
	e.blob32(b.Sealed.Data)
	return e.b
}

// Bytes returns the canonical encoding of a signed binding.
func (b *Binding) Bytes() ([]byte, error) {
	c, err := b.clearBytes()
	if err != nil {
		return nil, err
	}
	if len(b.Signature) != ed25519.SignatureSize {
		return nil, fmt.Errorf("%w: binding signature length %d", ErrMalformed, len(b.Signature))
	}
	return append(b.body(c), b.Signature...), nil
}

// ParseBinding decodes a signed binding (outside bytes: limits enforced,
// trailing bytes refused). It does not check the signature.
func ParseBinding(raw []byte) (*Binding, error) {
	b, _, err := parseBinding(raw)
	return b, err
}

func parseBinding(raw []byte) (*Binding, int, error) {
	d := &decoder{b: raw}
	b := &Binding{}
	d.magic(bindingMagic)
	copy(b.RecordHash[:], d.take(tlog.HashSize, "record hash"))
	copy(b.RecordID[:], d.take(16, "record id"))
	b.KioskID = d.str16("kiosk id", maxToken)
	b.Time = time.Unix(0, d.i64("time")).UTC()
	b.Outcome = Outcome(d.u8("outcome"))
	n := int(d.u16("lookup count"))
	if d.err == nil && n > maxList {
		d.fail("lookups: %d entries, limit %d", n, maxList)
	}
	for i := 0; i < n && d.err == nil; i++ {
		var l [32]byte
		copy(l[:], d.take(32, "lookup"))
		b.Lookups = append(b.Lookups, l)
	}
	b.Sealed = Sealed{KEM: d.u16("KEM id"), KDF: d.u16("KDF id"), AEAD: d.u16("AEAD id")}
	b.Sealed.Data = d.blob32("sealed identity", maxSealed)
	bodyLen := d.off
	b.Signature = append([]byte(nil), d.take(ed25519.SignatureSize, "signature")...)
	if err := d.end(); err != nil {
		return nil, 0, fmt.Errorf("consent: parse binding: %w", err)
	}
	if err := b.validate(); err != nil {
		return nil, 0, fmt.Errorf("consent: parse binding: %w", err)
	}
	return b, bodyLen, nil
}

// VerifyBinding parses a binding and checks the device signature under pub.
func VerifyBinding(raw []byte, pub ed25519.PublicKey) (*Binding, error) {
	b, bodyLen, err := parseBinding(raw)
	if err != nil {
		return nil, err
	}
	if !ed25519.Verify(pub, append([]byte(bindingSigContext), raw[:bodyLen]...), b.Signature) {
		return b, fmt.Errorf("binding for record %s: %w", b.RecordID, ErrSignature)
	}
	return b, nil
}

// size checks the limits and returns the length of the encoding.
func (h *Holder) size() (int, error) {
	if len(h.Name) > maxName || len(h.Credentials) > maxList {
		return 0, fmt.Errorf("%w: identity over its limits", ErrMalformed)
	}
	n := len(identityMagic) + 2 + len(h.Name) + 2
	for _, c := range h.Credentials {
		if checkToken(c.Kind) != nil || len(c.Value) > maxCredValue {
			return 0, fmt.Errorf("%w: a credential kind or value is over its limits", ErrMalformed)
		}
		n += 4 + len(c.Kind) + len(c.Value)
	}
	return n, nil
}

// marshalInto encodes h into buf, which has exactly h.size() bytes (so
// the encoder never reallocates out of the caller's memory).
func (h *Holder) marshalInto(buf []byte) {
	e := &encoder{b: buf[:0]}
	e.raw([]byte(identityMagic))
	e.u16(uint16(len(h.Name)))
	e.raw(h.Name)
	e.u16(uint16(len(h.Credentials)))
	for _, c := range h.Credentials {
		e.str16(c.Kind)
		e.u16(uint16(len(c.Value)))
		e.raw(c.Value)
	}
}

func parseIdentity(b []byte) (*Identity, error) {
	d := &decoder{b: b}
	id := &Identity{}
	d.magic(identityMagic)
	id.Name = d.str16("name", maxName)
	n := int(d.u16("credential count"))
	if d.err == nil && n > maxList {
		d.fail("credentials: %d entries, limit %d", n, maxList)
	}
	for i := 0; i < n && d.err == nil; i++ {
		id.Credentials = append(id.Credentials, Credential{Kind: d.str16("credential kind", maxToken),
			Value: d.str16("credential value", maxCredValue)})
	}
	if err := d.end(); err != nil {
		return nil, fmt.Errorf("consent: parse identity: %w", err)
	}
	return id, nil
}

func sealIdentity(o *BindingOpts, aad []byte, h *Holder) (Sealed, error) {
	n, err := h.size()
	if err != nil {
		return Sealed{}, err
	}
	pt, release := make([]byte, n), func() {}
	if o.Alloc != nil {
		if pt, release, err = o.Alloc(n); err != nil {
			return Sealed{}, fmt.Errorf("consent: seal binding: %w", err)
		}
	}
	defer release()
	defer clear(pt)
	h.marshalInto(pt)
	pub := o.Archive
	enc, s, err := hpke.NewSender(pub, Suite.KDF, Suite.AEAD, []byte(bindingSealInfo))
	if err != nil {
		return Sealed{}, fmt.Errorf("consent: seal binding: %w", err)
	}
	ct, err := s.Seal(aad, pt)
	if err != nil {
		return Sealed{}, fmt.Errorf("consent: seal binding: %w", err)
	}
	data := binary.BigEndian.AppendUint16(make([]byte, 0, 2+len(enc)+len(ct)), uint16(len(enc)))
	data = append(append(data, enc...), ct...)
	return Sealed{KEM: pub.KEM().ID(), KDF: Suite.KDF.ID(), AEAD: Suite.AEAD.ID(), Data: data}, nil
}

// OpenBinding decrypts the identity of a binding with the archive private
// key. Only auditors call it.
func OpenBinding(priv hpke.PrivateKey, b *Binding) (*Identity, error) {
	aad, err := b.clearBytes()
	if err != nil {
		return nil, err
	}
	kdf, err1 := hpke.NewKDF(b.Sealed.KDF)
	aead, err2 := hpke.NewAEAD(b.Sealed.AEAD)
	data := b.Sealed.Data
	if errors.Join(err1, err2) != nil || b.Sealed.KEM != priv.KEM().ID() ||
		len(data) < 2 || len(data)-2 < int(binary.BigEndian.Uint16(data)) {
		return nil, fmt.Errorf("consent: open binding %s: %w", b.RecordID, ErrOpen)
	}
	n := 2 + int(binary.BigEndian.Uint16(data))
	rc, err := hpke.NewRecipient(data[2:n], priv, kdf, aead, []byte(bindingSealInfo))
	if err != nil {
		return nil, fmt.Errorf("consent: open binding %s: %w", b.RecordID, ErrOpen)
	}
	pt, err := rc.Open(aad, data[n:])
	if err != nil {
		return nil, fmt.Errorf("consent: open binding %s: %w", b.RecordID, ErrOpen)
	}
	defer clear(pt)
	return parseIdentity(pt)
}

// ReadLookupKey reads a lookup key file: the key as hex on one line, as
// `ventanilla-archive keygen --lookup` writes it.
func ReadLookupKey(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("consent: lookup key: %w", err)
	}
	k, err := hex.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(k) != LookupKeySize {
		return nil, fmt.Errorf("consent: lookup key %s: not %d bytes of hex", path, LookupKeySize)
	}
	return k, nil
}
