package consent

import (
	"crypto/ed25519"
	"crypto/hpke"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"fmt"
	"sync"

	"github.com/ventanilla-mx/ventanilla/devicekey"
	"golang.org/x/mod/sumdb/tlog"
)

// ErrSignature means a record's device signature does not verify under the
// given key: the record was altered or signed by another kiosk. Not
// retryable.
var ErrSignature = errors.New("consent: record signature does not verify")

// NoticeDigest returns the SHA-256 of the exact privacy-notice text shown.
func NoticeDigest(text []byte) [32]byte { return sha256.Sum256(text) }

// RecordOpts are what NewRecord needs from the kiosk.
type RecordOpts struct {
	Archive hpke.PublicKey   // the municipality's archive public key
	Signer  devicekey.Signer // the kiosk's device key
	Roots   *x509.CertPool   // CA certificates that issue e.firma; nil refuses e.firma
}

// NewRecord checks the signature evidence in p (strokes well formed; an
// e.firma chains to opts.Roots at st.Time and signs st's canonical bytes),
// seals p to the archive key, and signs the record with the device key. It
// returns the record and its canonical bytes. Errors never carry personal
// data.
func NewRecord(st *Statement, p *Personal, opts *RecordOpts) (*Record, []byte, error) {
	sb, err := st.Bytes()
	if err != nil {
		return nil, nil, err
	}
	if p.Handwritten != nil {
		if err := p.Handwritten.Validate(); err != nil {
			return nil, nil, fmt.Errorf("consent: record %s: %w", st.ID, err)
		}
	}
	if p.Typed != nil {
		if err := p.Typed.Validate(); err != nil {
			return nil, nil, fmt.Errorf("consent: record %s: %w", st.ID, err)
		}
	}
	if p.EFirma != nil {
		if _, err := p.EFirma.Verify(sb, st.Time, opts.Roots); err != nil {
			return nil, nil, fmt.Errorf("consent: record %s: %w", st.ID, err)
		}
	}
	sealed, err := Seal(opts.Archive, sb, p)
	if err != nil {
		return nil, nil, fmt.Errorf("consent: record %s: %w", st.ID, err)
	}
	r := &Record{Statement: *st, Evidence: p.Evidence(), Sealed: sealed}
	b, err := r.sign(opts.Signer)
	return r, b, err
}

func (r *Record) sign(s devicekey.Signer) ([]byte, error) {
	body, err := r.Body()
	if err != nil {
		return nil, err
	}
	sig, err := s.Sign(append([]byte(recordSigContext), body...))
	if err != nil {
		return nil, fmt.Errorf("consent: record %s: device signature: %w", r.ID, err)
	}
	r.Signature = sig
	return r.Bytes()
}

// VerifyRecord parses canonical record bytes and checks the device signature
// under pub.
func VerifyRecord(b []byte, pub ed25519.PublicKey) (*Record, error) {
	r, bodyLen, err := parseRecord(b)
	if err != nil {
		return nil, err
	}
	buf := sigMsgs.Get().(*[]byte)
	defer sigMsgs.Put(buf)
	msg := append(append((*buf)[:0], recordSigContext...), b[:bodyLen]...)
	*buf = msg
	if !ed25519.Verify(pub, msg, r.Signature) {
		return r, fmt.Errorf("record %s: %w", r.ID, ErrSignature)
	}
	return r, nil
}

// sigMsgs holds buffers for the signed message (context and body), so a
// bundle's 10^4 verifications do not each allocate a record's size. The
// bytes are a public record's, not secret.
var sigMsgs = sync.Pool{New: func() any { return new([]byte) }}

// LeafHash returns the Merkle leaf hash of canonical record bytes.
func LeafHash(recordBytes []byte) tlog.Hash { return tlog.RecordHash(recordBytes) }
