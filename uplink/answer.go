package uplink

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/ed25519"
	"errors"
	"fmt"
	"time"

	"github.com/ventanilla-mx/ventanilla/vocab"
)

// Answer is the outcome of one verification. When Status is vocab.StatusUnknown,
// Reason says why and nothing else is meaningful. It is personal data: show
// it, never log or store it.
type Answer struct {
	Status           vocab.Status
	Reason           Reason // only with vocab.StatusUnknown
	FaceSimilarity   int    // 0-100, or -1 when no face was compared
	FingerSimilarity int    // 0-100, or -1 when no finger was compared
	FingerPosition   int    // the finger compared, 1-10, or 0
	TransactionID    string // INE's transaction id (for disputes with INE)
	RequestID        string
	AnsweredAt       time.Time
}

// String is redacted: an Answer must not reach a log.
func (a Answer) String() string { return "answer(redacted)" }

// GoString is redacted too.
func (a Answer) GoString() string { return a.String() }

type wireScore struct {
	Similarity int `json:"similarity"`
	Position   int `json:"position,omitempty"`
}

type wireAnswer struct {
	V             int          `json:"v"`
	RequestID     string       `json:"requestId"`
	RequestDigest string       `json:"requestDigest"`
	Status        vocab.Status `json:"status"`
	Face          *wireScore   `json:"face,omitempty"`
	Finger        *wireScore   `json:"finger,omitempty"`
	TransactionID string       `json:"transactionId"`
	AnsweredAt    string       `json:"answeredAt"`
}

const (
	maxAnswerJSON = 4096
	gcmNonceSize  = 12
)

// ErrNotBound means an answer does not belong to the request it was received
// for (wrong key, digest or request id). Never retry with it; treat as
// UNKNOWN.
var ErrNotBound = errors.New("answer not bound to this request")

// ErrAnswerSignature means INE's signature on an answer does not verify.
var ErrAnswerSignature = errors.New("answer signature invalid")

// answerAAD binds the answer ciphertext to the request digest.
func answerAAD(nonce []byte, digest [32]byte) []byte {
	b := append([]byte(answerMagic), nonce...)
	return append(b, digest[:]...)
}

func gcmFor(key []byte) (cipher.AEAD, error) {
	blk, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(blk)
}

// Open opens and checks a sealed answer for this request with INE's answer
// signing key.
func (s *Sealed) Open(body []byte, ineSign ed25519.PublicKey) (Answer, error) {
	if len(body) < len(answerMagic)+gcmNonceSize+16 || string(body[:len(answerMagic)]) != answerMagic {
		return Answer{}, malformed("answer envelope")
	}
	nonce := body[len(answerMagic) : len(answerMagic)+gcmNonceSize]
	aead, err := gcmFor(s.answerKey.Bytes())
	if err != nil {
		return Answer{}, fmt.Errorf("uplink: open answer: %w", err)
	}
	pt, err := aead.Open(nil, nonce, body[len(answerMagic)+gcmNonceSize:], answerAAD(nonce, s.Digest))
	if err != nil {
		return Answer{}, fmt.Errorf("uplink: open answer: %w", ErrNotBound)
	}
	return s.checkAnswer(pt, ineSign)
}

func (s *Sealed) checkAnswer(pt []byte, ineSign ed25519.PublicKey) (Answer, error) {
	js, rest, body, sig, err := splitSigned(pt, maxAnswerJSON)
	if err != nil || len(rest) != 0 {
		return Answer{}, malformed("answer payload")
	}
	if !ed25519.Verify(ineSign, sigInput(answerSigDomain, body), sig) {
		return Answer{}, fmt.Errorf("uplink: open answer: %w", ErrAnswerSignature)
	}
	var w wireAnswer
	if err := decodeStrict(js, &w); err != nil {
		return Answer{}, err
	}
	if w.RequestID != s.RequestID || w.RequestDigest != b64(s.Digest[:]) {
		return Answer{}, fmt.Errorf("uplink: open answer: %w", ErrNotBound)
	}
	return w.answer()
}

func (w *wireAnswer) answer() (Answer, error) {
	if w.V != ProtocolVersion || !w.Status.Valid() || len(w.TransactionID) == 0 || len(w.TransactionID) > 64 {
		return Answer{}, malformed("answer fields")
	}
	at, err := parseTime(w.AnsweredAt)
	if err != nil {
		return Answer{}, err
	}
	a := Answer{Status: w.Status, FaceSimilarity: -1, FingerSimilarity: -1, TransactionID: w.TransactionID,
		RequestID: w.RequestID, AnsweredAt: at}
	if w.Face != nil {
		if w.Face.Similarity < 0 || w.Face.Similarity > 100 || w.Face.Position != 0 {
			return Answer{}, malformed("face similarity")
		}
		a.FaceSimilarity = w.Face.Similarity
	}
	if w.Finger != nil {
		if w.Finger.Similarity < 0 || w.Finger.Similarity > 100 || w.Finger.Position < 1 || w.Finger.Position > 10 {
			return Answer{}, malformed("finger similarity")
		}
		a.FingerSimilarity, a.FingerPosition = w.Finger.Similarity, w.Finger.Position
	}
	return a, nil
}
