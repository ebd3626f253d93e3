package uplink

import (
	"crypto/ed25519"
	"encoding/json"
	"testing"
	"time"

	"github.com/ventanilla-mx/ventanilla/credential"
	"github.com/ventanilla-mx/ventanilla/devicekey"
	"github.com/ventanilla-mx/ventanilla/secmem"
	"github.com/ventanilla-mx/ventanilla/vocab"
	"golang.org/x/mod/sumdb/tlog"
)

// seedPayload builds a valid request plaintext without the crypto.
func seedPayload(t testing.TB) []byte {
	s := &Sealer{KioskID: "k1", Now: time.Now}
	record := []byte("consent record")
	req := &Request{
		ID:         "r_0123456789abcdef",
		Consent:    ConsentProof{Record: record, RecordHash: tlog.RecordHash(record), LeafIndex: 0, Checkpoint: []byte("x\n1\nAA==\n"), Proof: []tlog.Hash{{2}}},
		Credential: credential.Credential{Model: credential.ModelD, CIC: "123456789", OCR: "1234567890123"}.Secret(),
		Biometrics: []Biometric{{Kind: KindFinger, Position: 7, Format: FormatISO197944, Data: []byte("fingerprint")}},
	}
	s.Alloc = secmem.NewAllocator(&secmem.Opts{})
	buf, _, err := s.meta(req)
	if err != nil {
		t.Fatal(err)
	}
	defer buf.Release()
	meta := buf.Bytes()
	p := make([]byte, payloadSize(len(meta), req.Consent.Record, req.Biometrics))
	writePayload(p, meta, req.Consent.Record, req.Biometrics)
	return p
}

func FuzzDecodeRequestPayload(f *testing.F) {
	good := seedPayload(f)
	f.Add(good)
	f.Add(good[:len(good)-1])
	f.Add([]byte{0, 0, 0, 2, '{', '}'})
	f.Fuzz(func(t *testing.T, p []byte) {
		r, err := decodeRequestPayload(p)
		if err != nil {
			return
		}
		total := 0
		for _, b := range r.Biometrics {
			total += len(b.Data)
		}
		if total > len(p) {
			t.Fatal("biometrics larger than the payload")
		}
		r.Validate()
		r.Wipe()
	})
}

func FuzzParseEnvelope(f *testing.F) {
	h := &envelopeHeader{kem: 0x20, kdf: 1, aead: 2, kid: "0123456789abcdef", enc: make([]byte, 32)}
	good := append(h.appendTo(nil), 1, 2, 3)
	f.Add(good)
	f.Add(good[:20])
	f.Add([]byte(requestMagic))
	f.Fuzz(func(t *testing.T, b []byte) {
		h, ct, err := parseEnvelope(b)
		if err != nil {
			return
		}
		if len(h.appendTo(nil))+len(ct) != len(b) {
			t.Fatal("header and ciphertext do not cover the envelope")
		}
		OpenRequest(KeyRing{}, b)
	})
}

// FuzzAnswerPayload fuzzes the kiosk's answer decoder after decryption: a
// signed payload whose signature is made by the test key, so the JSON and
// field checks are reached.
func FuzzAnswerPayload(f *testing.F) {
	key, _ := devicekey.Generate()
	s := &Sealed{RequestID: "00112233445566778899aabbccddeeff"}
	w := wireAnswer{V: ProtocolVersion, RequestID: s.RequestID, RequestDigest: b64(s.Digest[:]), Status: vocab.StatusValid,
		Face: &wireScore{Similarity: 80}, TransactionID: "t", AnsweredAt: "2026-01-02T03:04:05.000Z"}
	js, _ := json.Marshal(w)
	f.Add(js)
	f.Add([]byte(`{"v":2,"status":"unknown"}`))
	f.Add([]byte(`{"v":2,"finger":{"similarity":101,"position":0}}`))
	f.Fuzz(func(t *testing.T, js []byte) {
		if len(js) > maxAnswerJSON {
			return
		}
		pt := make([]byte, 4+len(js)+sigSize)
		body := writePayload(pt, js, nil, nil)
		sig, _ := key.Sign(sigInput(answerSigDomain, body))
		copy(pt[len(body):], sig)
		a, err := s.checkAnswer(pt, key.Public())
		if err != nil {
			return
		}
		if !a.Status.Valid() || a.FaceSimilarity > 100 || a.FingerSimilarity > 100 {
			t.Fatalf("accepted an out-of-vocabulary answer")
		}
	})
}

// FuzzOpenAnswer fuzzes the whole sealed-answer path with random bodies.
func FuzzOpenAnswer(f *testing.F) {
	alloc := secmem.NewAllocator(nil)
	buf, _ := alloc.Alloc(32)
	s := &Sealed{RequestID: "r", answerKey: buf}
	f.Add([]byte(answerMagic + "000000000000" + "0123456789abcdef0123"))
	f.Add([]byte("garbage"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if _, err := s.Open(b, ed25519.PublicKey(make([]byte, 32))); err == nil {
			t.Fatal("random answer accepted")
		}
	})
}
