package uplink

import (
	"crypto/ed25519"
	"crypto/hpke"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"time"

	"github.com/ventanilla-mx/ventanilla/credential"
	"github.com/ventanilla-mx/ventanilla/devicekey"
	"github.com/ventanilla-mx/ventanilla/secmem"
)

// Errors of the INE side (OpenRequest, VerifySignature). None is retryable
// with the same bytes.
var (
	ErrUnknownKey       = errors.New("unknown INE key id or suite")
	ErrDecrypt          = errors.New("request does not decrypt")
	ErrRequestSignature = errors.New("request signature invalid")
)

// KeyRing maps key ids to INE's HPKE private keys (old keys stay while
// kiosks roll over).
type KeyRing map[string]hpke.PrivateKey

// NewKeyRing indexes keys by KeyID.
func NewKeyRing(keys ...hpke.PrivateKey) KeyRing {
	r := make(KeyRing, len(keys))
	for _, k := range keys {
		r[KeyID(k.PublicKey())] = k
	}
	return r
}

// Received is an opened request on the INE side. Its biometric bytes alias
// the decrypted plaintext: call Wipe as soon as the answer is sealed.
type Received struct {
	RequestID  string
	KioskID    string
	CreatedAt  time.Time
	Nonce      []byte
	Consent    ConsentProof
	Credential credential.Credential
	Biometrics []Biometric
	Liveness   *Liveness
	Digest     [32]byte // SHA-256 of the envelope

	body, sig, plaintext []byte
	answerKey            []byte
}

// OpenRequest decrypts and decodes a sealed request. It does not verify the
// signature (the caller looks up the kiosk's key by KioskID first) nor the
// consent proof.
func OpenRequest(ring KeyRing, envelope []byte) (*Received, error) {
	h, ct, err := parseEnvelope(envelope)
	if err != nil {
		return nil, err
	}
	sk, ok := ring[h.kid]
	if !ok || sk.KEM().ID() != h.kem || h.kdf != suiteKDF.ID() || h.aead != suiteAEAD.ID() {
		return nil, fmt.Errorf("uplink: open request: %w", ErrUnknownKey)
	}
	rcp, err := hpke.NewRecipient(h.enc, sk, suiteKDF, suiteAEAD, h.info())
	if err != nil {
		return nil, fmt.Errorf("uplink: open request: %w", ErrDecrypt)
	}
	pt, err := rcp.Open(nil, ct)
	if err != nil {
		return nil, fmt.Errorf("uplink: open request: %w", ErrDecrypt)
	}
	r, err := decodeRequestPayload(pt)
	if err != nil {
		secmem.Wipe(pt)
		return nil, err
	}
	if r.answerKey, err = rcp.Export(answerKeyLabel, 32); err != nil {
		r.Wipe()
		return nil, fmt.Errorf("uplink: open request: export: %w", err)
	}
	r.Digest = sha256.Sum256(envelope)
	return r, nil
}

// decodeRequestPayload parses the signed payload (no crypto).
func decodeRequestPayload(pt []byte) (*Received, error) {
	js, blobs, body, sig, err := splitSigned(pt, MaxMetaBytes)
	if err != nil {
		return nil, err
	}
	var m wireMeta
	if err := decodeStrict(js, &m); err != nil {
		return nil, err
	}
	r := &Received{body: body, sig: sig, plaintext: pt}
	if err := r.fill(&m); err != nil {
		return nil, err
	}
	if err := r.attach(m.Consent.RecordLength, m.Biometrics, blobs); err != nil {
		return nil, err
	}
	return r, nil
}

func (r *Received) fill(m *wireMeta) error {
	if m.V != ProtocolVersion || !validRequestID(m.RequestID) {
		return malformed("version or request id")
	}
	if len(m.KioskID) == 0 || len(m.KioskID) > 64 {
		return malformed("kiosk id")
	}
	nonce, ok := unb64(m.Nonce, 16)
	if !ok {
		return malformed("nonce")
	}
	var err error
	if r.CreatedAt, err = parseTime(m.CreatedAt); err != nil {
		return err
	}
	if r.Consent, err = m.Consent.proof(); err != nil {
		return err
	}
	if r.Credential, err = m.Credential.credential(); err != nil {
		return malformed("credential model")
	}
	r.RequestID, r.KioskID, r.Nonce, r.Liveness = m.RequestID, m.KioskID, nonce, m.Liveness
	return nil
}

// attach slices the blobs (the consent record, then the biometrics) by the
// lengths the metadata declares; they must add up exactly.
func (r *Received) attach(recordLen int, ws []wireBiometric, blobs []byte) error {
	if len(ws) == 0 || len(ws) > MaxBiometrics {
		return malformed("biometric count")
	}
	if recordLen <= 0 || recordLen > MaxConsentRecord || recordLen > len(blobs) {
		return malformed("consent record length")
	}
	r.Consent.Record = blobs[:recordLen:recordLen]
	off := recordLen
	for _, w := range ws {
		if w.Length <= 0 || w.Length > MaxBiometricBytes || w.Length > len(blobs)-off {
			return malformed("biometric length")
		}
		r.Biometrics = append(r.Biometrics, Biometric{Kind: w.Kind, Position: w.Position, Format: w.Format, Data: blobs[off : off+w.Length : off+w.Length]})
		off += w.Length
	}
	if off != len(blobs) {
		return malformed("biometric lengths do not add up")
	}
	return nil
}

// Validate checks the decoded request's fields (credential shape,
// biometric kinds and formats, liveness summary, consent proof shape).
func (r *Received) Validate() error {
	if err := r.Credential.Validate(); err != nil {
		return err
	}
	if err := r.Consent.wellFormed(); err != nil {
		return err
	}
	return validateBiometrics(r.Biometrics, r.Liveness, func(b Biometric) int { return len(b.Data) })
}

// VerifySignature checks the kiosk's device signature with pub.
func (r *Received) VerifySignature(pub ed25519.PublicKey) error {
	if !ed25519.Verify(pub, sigInput(requestSigDomain, r.body), r.sig) {
		return fmt.Errorf("uplink: %w", ErrRequestSignature)
	}
	return nil
}

// Wipe zeroes the decrypted plaintext (biometrics included) and the answer
// key. The Received must not be used afterwards.
func (r *Received) Wipe() {
	secmem.Wipe(r.plaintext)
	secmem.Wipe(r.answerKey)
	for i := range r.Biometrics {
		r.Biometrics[i].Data = nil
	}
	r.Consent.Record = nil
}

// SealAnswer signs a with INE's signing key and seals it with the key
// exported from this request's HPKE context. Only Status, the similarities
// and TransactionID of a are used.
func (r *Received) SealAnswer(a Answer, signer devicekey.Signer, now time.Time) ([]byte, error) {
	w := wireAnswer{V: ProtocolVersion, RequestID: r.RequestID, RequestDigest: b64(r.Digest[:]), Status: a.Status,
		TransactionID: a.TransactionID, AnsweredAt: now.UTC().Format(timeFormat)}
	if a.FaceSimilarity >= 0 {
		w.Face = &wireScore{Similarity: a.FaceSimilarity}
	}
	if a.FingerSimilarity >= 0 {
		w.Finger = &wireScore{Similarity: a.FingerSimilarity, Position: a.FingerPosition}
	}
	return sealAnswerWire(&w, r.answerKey, r.Digest, signer)
}

func sealAnswerWire(w *wireAnswer, key []byte, digest [32]byte, signer devicekey.Signer) ([]byte, error) {
	js, err := jsonMarshal(w)
	if err != nil {
		return nil, err
	}
	pt := make([]byte, 4+len(js)+sigSize)
	body := writePayload(pt, js, nil, nil)
	sig, err := signer.Sign(sigInput(answerSigDomain, body))
	if err != nil || len(sig) != sigSize {
		return nil, fmt.Errorf("uplink: seal answer: signing failed: %v", err)
	}
	copy(pt[len(body):], sig)
	aead, err := gcmFor(key)
	if err != nil {
		return nil, fmt.Errorf("uplink: seal answer: %w", err)
	}
	out := make([]byte, len(answerMagic)+gcmNonceSize, len(answerMagic)+gcmNonceSize+len(pt)+aead.Overhead())
	copy(out, answerMagic)
	nonce := out[len(answerMagic):]
	rand.Read(nonce)
	return aead.Seal(out, nonce, pt, answerAAD(nonce, digest)), nil
}

// String is redacted: a Received must never reach a log.
func (r *Received) String() string { return "uplink.Received(redacted)" }

// GoString is redacted too.
func (r *Received) GoString() string { return r.String() }
