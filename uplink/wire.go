package uplink

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/ventanilla-mx/ventanilla/credential"
	"golang.org/x/mod/sumdb/tlog"
)

// ProtocolVersion is the version of docs/protocol.md this package speaks.
// Version 2 binds the consent to the request: the request id is minted by
// the session before the consent and named in the consent record, which
// travels in the payload.
const ProtocolVersion = 2

// Domain-separation strings (docs/protocol.md, "Constants").
const (
	requestMagic     = "VNTLREQ2"
	answerMagic      = "VNTLANS2"
	requestInfo      = "ventanilla.mx/verify/v2 request"
	requestSigDomain = "ventanilla.mx/verify/v2 request-signature\n"
	answerSigDomain  = "ventanilla.mx/verify/v2 answer-signature\n"
	answerKeyLabel   = "ventanilla.mx/verify/v2 answer-key"
	sigSize          = 64
)

// ErrMalformed is wrapped by every decoding failure of outside bytes. It is
// not retryable: the same bytes fail the same way.
var ErrMalformed = errors.New("malformed message")

func malformed(what string) error { return fmt.Errorf("uplink: %w: %s", ErrMalformed, what) }

// wireMeta is the JSON part of the signed request payload, as INE reads
// it. The kiosk writes wireMetaHead with encoding/json and appends the
// credential itself (appendCredential), so the values never pass through
// a Go string or encoding/json's pooled buffers.
type wireMeta struct {
	wireMetaHead
	Credential wireCredential `json:"credential"`
}

type wireMetaHead struct {
	V          int             `json:"v"`
	RequestID  string          `json:"requestId"`
	KioskID    string          `json:"kioskId"`
	CreatedAt  string          `json:"createdAt"`
	Nonce      string          `json:"nonce"`
	Consent    wireConsent     `json:"consent"`
	Biometrics []wireBiometric `json:"biometrics"`
	Liveness   *Liveness       `json:"liveness,omitempty"`
}

type wireConsent struct {
	RecordHash   string   `json:"recordHash"`
	RecordLength int      `json:"recordLength"` // the record's bytes lead the blobs
	LeafIndex    int64    `json:"leafIndex"`
	Checkpoint   string   `json:"checkpoint"`
	Proof        []string `json:"proof"`
}

type wireCredential struct {
	Model                  string `json:"model"`
	ClaveElector           string `json:"claveElector,omitempty"`
	NumeroEmision          string `json:"numeroEmision,omitempty"`
	OCR                    string `json:"ocr,omitempty"`
	CIC                    string `json:"cic,omitempty"`
	IdentificadorCiudadano string `json:"identificadorCiudadano,omitempty"`
}

type wireBiometric struct {
	Kind     Kind   `json:"kind"`
	Position int    `json:"position,omitempty"`
	Format   Format `json:"format"`
	Length   int    `json:"length"`
}

// timeFormat is RFC 3339 in UTC with milliseconds.
const timeFormat = "2006-01-02T15:04:05.000Z"

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

func unb64(s string, n int) ([]byte, bool) {
	b, err := base64.StdEncoding.Strict().DecodeString(s)
	return b, err == nil && (n < 0 || len(b) == n)
}

func toWireConsent(p ConsentProof) wireConsent {
	w := wireConsent{RecordHash: b64(p.RecordHash[:]), RecordLength: len(p.Record), LeafIndex: p.LeafIndex,
		Checkpoint: string(p.Checkpoint), Proof: make([]string, len(p.Proof))}
	for i, h := range p.Proof {
		w.Proof[i] = b64(h[:])
	}
	return w
}

func (w wireConsent) proof() (ConsentProof, error) {
	p := ConsentProof{LeafIndex: w.LeafIndex, Checkpoint: []byte(w.Checkpoint)}
	h, ok := unb64(w.RecordHash, tlog.HashSize)
	if !ok || len(w.Proof) > 64 {
		return p, malformed("consent record hash or proof")
	}
	copy(p.RecordHash[:], h)
	p.Proof = make([]tlog.Hash, len(w.Proof))
	for i, s := range w.Proof {
		h, ok := unb64(s, tlog.HashSize)
		if !ok {
			return p, malformed("consent proof hash")
		}
		copy(p.Proof[i][:], h)
	}
	return p, nil
}

// credentialJSONLen is the length of the credential member that
// appendCredential writes: `,"credential":{"model":"E","f":"v",...}`.
func credentialJSONLen(c *credential.Secret) int {
	n := len(`,"credential":{"model":"E"}`)
	for _, f := range c.Fields {
		n += len(`,"":""`) + len(f.Name) + len(f.Value)
	}
	return n
}

// appendCredential writes the credential member into dst (which has room
// for it) after a validated Secret: names and values are [A-Za-z0-9] and
// need no escaping. It copies the values and nothing else holds them.
func appendCredential(dst []byte, c *credential.Secret) []byte {
	dst = append(dst, `,"credential":{"model":"`...)
	dst = append(dst, byte(c.Model), '"')
	for _, f := range c.Fields {
		dst = append(dst, ',', '"')
		dst = append(dst, f.Name...)
		dst = append(dst, `":"`...)
		dst = append(dst, f.Value...)
		dst = append(dst, '"')
	}
	return append(dst, '}')
}

func (w wireCredential) credential() (credential.Credential, error) {
	m, err := credential.ParseModel(w.Model)
	if err != nil {
		return credential.Credential{}, err
	}
	return credential.Credential{Model: m, ClaveElector: w.ClaveElector, NumeroEmision: w.NumeroEmision,
		OCR: w.OCR, CIC: w.CIC, IdentificadorCiudadano: w.IdentificadorCiudadano}, nil
}

// payloadSize computes the size of a payload: u32 meta length, meta, the
// consent record, the biometric blobs, signature.
func payloadSize(metaLen int, record []byte, bs []Biometric) int {
	n := 4 + metaLen + len(record) + sigSize
	for _, b := range bs {
		n += len(b.Data)
	}
	return n
}

// writePayload lays out meta, the consent record and the biometric blobs
// into buf (sized by payloadSize) and returns the body (everything the
// signature covers).
func writePayload(buf, meta, record []byte, bs []Biometric) []byte {
	binary.BigEndian.PutUint32(buf, uint32(len(meta)))
	off := 4 + copy(buf[4:], meta)
	off += copy(buf[off:], record)
	for _, b := range bs {
		off += copy(buf[off:], b.Data)
	}
	return buf[:off]
}

// sigInput is what a signature covers: a domain string and the SHA-256 of
// the signed body (so signers, including hardware ones, see 32 bytes).
func sigInput(domain string, body []byte) []byte {
	sum := sha256.Sum256(body)
	return append([]byte(domain), sum[:]...)
}

// splitSigned splits u32 len | json | rest | sig, checking bounds.
func splitSigned(p []byte, maxJSON int) (js, rest, body, sig []byte, err error) {
	if len(p) < 4+sigSize {
		return nil, nil, nil, nil, malformed("payload too short")
	}
	n := int(binary.BigEndian.Uint32(p))
	if n < 2 || n > maxJSON || 4+n > len(p)-sigSize {
		return nil, nil, nil, nil, malformed("payload JSON length")
	}
	body = p[:len(p)-sigSize]
	return p[4 : 4+n], body[4+n:], body, p[len(p)-sigSize:], nil
}

// decodeStrict decodes one JSON value, refusing unknown fields and trailing
// data.
func decodeStrict(js []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return malformed("JSON: " + jsonErrKind(err))
	}
	if dec.More() {
		return malformed("JSON: trailing data")
	}
	return nil
}

// jsonErrKind describes a JSON error without quoting the input.
func jsonErrKind(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return fmt.Sprintf("syntax error at offset %d", se.Offset)
	case errors.As(err, &te):
		return "wrong type for field " + te.Field
	}
	return "invalid document"
}

func parseTime(s string) (time.Time, error) {
	t, err := time.Parse(timeFormat, s)
	if err != nil {
		return time.Time{}, malformed("timestamp")
	}
	return t, nil
}

func jsonMarshal(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("uplink: encode: %w", err)
	}
	return b, nil
}
