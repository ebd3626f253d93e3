package uplink

import (
	"bytes"
	"crypto/hpke"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/ventanilla-mx/ventanilla/devicekey"
	"github.com/ventanilla-mx/ventanilla/secmem"
)

// ErrInvalidRequest wraps every validation failure of a Request (credential
// fields, biometric kinds, formats and sizes, liveness, consent proof
// shape). Fix the data; resending the same request fails the same way.
var ErrInvalidRequest = errors.New("invalid request")

// Sealer builds, signs and seals requests (the kiosk side, without the
// network). Client uses it; benchmarks and tests use it directly.
type Sealer struct {
	KioskID string
	KeyID   string
	INEKey  hpke.PublicKey
	Signer  devicekey.Signer
	Alloc   *secmem.Allocator
	Now     func() time.Time
	Rand    io.Reader // nil means crypto/rand
}

// Sealed is one sealed request and what the kiosk needs to open its answer.
// Release it when done: it wipes the answer key.
type Sealed struct {
	RequestID string   // Request.ID, also the Idempotency-Key
	Digest    [32]byte // SHA-256 of the envelope
	// The envelope, the HTTP body, is head followed by ct, kept apart so
	// the 135 KB ciphertext is not copied once more to prepend the header.
	// It holds no clear personal data.
	head, ct  []byte
	answerKey *secmem.Buffer
}

// Envelope returns the sealed request's bytes (a copy: the client sends
// the two parts without joining them).
func (s *Sealed) Envelope() []byte { return append(slices.Clip(s.head), s.ct...) }

// body is a fresh reader over the envelope, for one HTTP attempt.
func (s *Sealed) body() (io.Reader, int64) {
	return io.MultiReader(bytes.NewReader(s.head), bytes.NewReader(s.ct)), int64(len(s.head) + len(s.ct))
}

// Release wipes the answer key. Safe on nil and idempotent.
func (s *Sealed) Release() {
	if s != nil {
		s.answerKey.Release()
	}
}

// Seal validates req, lays out the payload in secmem, signs it with the
// device key and seals it to INE's key. The plaintext is wiped before Seal
// returns; only the ciphertext and the exported answer key remain.
func (s *Sealer) Seal(req *Request) (*Sealed, error) {
	if err := req.Validate(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidRequest, err)
	}
	metaBuf, ids, err := s.meta(req)
	if err != nil {
		return nil, err
	}
	defer metaBuf.Release()
	meta := metaBuf.Bytes()
	buf, err := s.Alloc.Alloc(payloadSize(len(meta), req.Consent.Record, req.Biometrics))
	if err != nil {
		return nil, fmt.Errorf("uplink: seal: %w", err)
	}
	defer buf.Release()
	p := buf.Bytes()
	body := writePayload(p, meta, req.Consent.Record, req.Biometrics)
	sig, err := s.Signer.Sign(sigInput(requestSigDomain, body))
	if err != nil || len(sig) != sigSize {
		return nil, fmt.Errorf("uplink: seal: device key signature failed (check the device key): %v", err)
	}
	copy(p[len(body):], sig)
	out, err := s.hpkeSeal(p)
	if err != nil {
		return nil, err
	}
	out.RequestID = ids
	return out, nil
}

func (s *Sealer) hpkeSeal(plaintext []byte) (*Sealed, error) {
	h := &envelopeHeader{kem: s.INEKey.KEM().ID(), kdf: suiteKDF.ID(), aead: suiteAEAD.ID(), kid: s.KeyID}
	enc, snd, err := hpke.NewSender(s.INEKey, suiteKDF, suiteAEAD, h.info())
	if err != nil {
		return nil, fmt.Errorf("uplink: seal: HPKE sender: %w", err)
	}
	h.enc = enc
	ct, err := snd.Seal(nil, plaintext)
	if err != nil {
		return nil, fmt.Errorf("uplink: seal: %w", err)
	}
	head := h.appendTo(make([]byte, 0, 64+len(enc)))
	key, err := exportAnswerKey(snd.Export, s.Alloc)
	if err != nil {
		return nil, err
	}
	d := sha256.New()
	d.Write(head)
	d.Write(ct)
	out := &Sealed{head: head, ct: ct, answerKey: key}
	d.Sum(out.Digest[:0])
	return out, nil
}

// exportAnswerKey exports the 32-byte answer key into secmem.
func exportAnswerKey(export func(string, int) ([]byte, error), alloc *secmem.Allocator) (*secmem.Buffer, error) {
	k, err := export(answerKeyLabel, 32)
	if err != nil {
		return nil, fmt.Errorf("uplink: export answer key: %w", err)
	}
	defer secmem.Wipe(k)
	if alloc == nil {
		return nil, fmt.Errorf("uplink: no secmem allocator configured")
	}
	buf, err := alloc.Alloc(32)
	if err != nil {
		return nil, fmt.Errorf("uplink: answer key: %w", err)
	}
	copy(buf.Bytes(), k)
	return buf, nil
}

// meta lays out the payload's JSON in locked memory: the head through
// encoding/json (no personal data), then the credential appended in place.
func (s *Sealer) meta(req *Request) (meta *secmem.Buffer, requestID string, err error) {
	var nonce [16]byte
	r := s.Rand
	if r == nil {
		r = rand.Reader
	}
	if _, err := io.ReadFull(r, nonce[:]); err != nil {
		return nil, "", fmt.Errorf("uplink: seal: random: %w", err)
	}
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	m := wireMetaHead{V: ProtocolVersion, RequestID: req.ID, KioskID: s.KioskID,
		CreatedAt: now().UTC().Format(timeFormat), Nonce: b64(nonce[:]), Consent: toWireConsent(req.Consent),
		Liveness: req.Liveness}
	for _, b := range req.Biometrics {
		m.Biometrics = append(m.Biometrics, wireBiometric{Kind: b.Kind, Position: b.Position, Format: b.Format, Length: len(b.Data)})
	}
	head, err := json.Marshal(m)
	if err != nil {
		return nil, "", fmt.Errorf("uplink: seal: encode: %w", err)
	}
	if s.Alloc == nil {
		return nil, "", fmt.Errorf("uplink: no secmem allocator configured")
	}
	buf, err := s.Alloc.Alloc(len(head) + credentialJSONLen(&req.Credential))
	if err != nil {
		return nil, "", fmt.Errorf("uplink: seal: %w", err)
	}
	out := append(buf.Bytes()[:0], head[:len(head)-1]...) // head without its closing brace
	out = append(appendCredential(out, &req.Credential), '}')
	if len(out) != len(buf.Bytes()) || &out[0] != &buf.Bytes()[0] { // a miscount would copy to the heap
		buf.Release()
		return nil, "", errors.New("uplink: seal: metadata length miscounted")
	}
	return buf, m.RequestID, nil
}
