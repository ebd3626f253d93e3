package consent

import (
	"crypto/hpke"
	"encoding/binary"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
)

// sealInfo is the HPKE info string: it binds every sealed box to this use.
const sealInfo = "ventanilla.mx/consent/seal/v1"

// PEM block types of the archive key files (docs/consent.md).
const (
	archivePublicPEM  = "VENTANILLA ARCHIVE PUBLIC KEY"
	archivePrivatePEM = "VENTANILLA ARCHIVE PRIVATE KEY"
)

// ErrOpen is returned when a sealed box does not open with the given key:
// the wrong archive key, or the box or its statement was altered.
var ErrOpen = errors.New("consent: sealed fields do not open with this archive key (wrong key, or the record was altered)")

// Suite is the HPKE ciphersuite used to seal: the post-quantum hybrid KEM
// MLKEM768-X25519, HKDF-SHA256 and AES-256-GCM (see docs/consent.md).
var Suite = struct {
	KDF  hpke.KDF
	AEAD hpke.AEAD
}{hpke.HKDFSHA256(), hpke.AES256GCM()}

// GenerateArchiveKey makes a new archive key pair (MLKEM768-X25519). The
// municipality keeps the private key off the kiosk.
func GenerateArchiveKey() (hpke.PrivateKey, error) {
	k, err := hpke.MLKEM768X25519().GenerateKey()
	if err != nil {
		return nil, fmt.Errorf("consent: generate archive key: %w", err)
	}
	return k, nil
}

// Seal encrypts p to the archive public key, bound to the statement bytes
// (as HPKE associated data), so the box cannot be moved to another record.
// The plaintext is cleared before Seal returns.
func Seal(pub hpke.PublicKey, statement []byte, p *Personal) (Sealed, error) {
	pt, err := p.MarshalBinary()
	if err != nil {
		return Sealed{}, err
	}
	defer clear(pt)
	enc, s, err := hpke.NewSender(pub, Suite.KDF, Suite.AEAD, []byte(sealInfo))
	if err != nil {
		return Sealed{}, fmt.Errorf("consent: seal: %w", err)
	}
	ct, err := s.Seal(statement, pt)
	if err != nil {
		return Sealed{}, fmt.Errorf("consent: seal: %w", err)
	}
	data := binary.BigEndian.AppendUint16(make([]byte, 0, 2+len(enc)+len(ct)), uint16(len(enc)))
	data = append(append(data, enc...), ct...)
	return Sealed{KEM: pub.KEM().ID(), KDF: Suite.KDF.ID(), AEAD: Suite.AEAD.ID(), Data: data}, nil
}

// Open decrypts the personal fields of r with the archive private key. Only
// auditors call it (ventanillactl consent open); the kiosk has no private key.
func Open(priv hpke.PrivateKey, r *Record) (*Personal, error) {
	st, err := r.Statement.Bytes()
	if err != nil {
		return nil, err
	}
	if r.Sealed.KEM != priv.KEM().ID() {
		return nil, fmt.Errorf("consent: open record %s: sealed to KEM 0x%04x, key is KEM 0x%04x", r.ID, r.Sealed.KEM, priv.KEM().ID())
	}
	kdf, err1 := hpke.NewKDF(r.Sealed.KDF)
	aead, err2 := hpke.NewAEAD(r.Sealed.AEAD)
	if err := errors.Join(err1, err2); err != nil {
		return nil, fmt.Errorf("consent: open record %s: ciphersuite: %w", r.ID, err)
	}
	data := r.Sealed.Data
	if len(data) < 2 || len(data)-2 < int(binary.BigEndian.Uint16(data)) {
		return nil, fmt.Errorf("consent: open record %s: %w", r.ID, ErrOpen)
	}
	n := 2 + int(binary.BigEndian.Uint16(data))
	rc, err := hpke.NewRecipient(data[2:n], priv, kdf, aead, []byte(sealInfo))
	if err != nil {
		return nil, fmt.Errorf("consent: open record %s: %w", r.ID, ErrOpen)
	}
	pt, err := rc.Open(st, data[n:])
	if err != nil {
		return nil, fmt.Errorf("consent: open record %s: %w", r.ID, ErrOpen)
	}
	defer clear(pt)
	p, err := ParsePersonal(pt)
	if err != nil {
		return nil, fmt.Errorf("consent: open record %s: %w", r.ID, err)
	}
	if p.Evidence() != r.Evidence {
		return nil, fmt.Errorf("consent: open record %s: sealed evidence kinds 0x%02x differ from the record's 0x%02x", r.ID, uint8(p.Evidence()), uint8(r.Evidence))
	}
	return p, nil
}

// MarshalArchivePublicKey encodes an archive public key as PEM.
func MarshalArchivePublicKey(pub hpke.PublicKey) []byte {
	body := binary.BigEndian.AppendUint16(nil, pub.KEM().ID())
	return pem.EncodeToMemory(&pem.Block{Type: archivePublicPEM, Bytes: append(body, pub.Bytes()...)})
}

// MarshalArchivePrivateKey encodes an archive private key as PEM.
func MarshalArchivePrivateKey(k hpke.PrivateKey) ([]byte, error) {
	b, err := k.Bytes()
	if err != nil {
		return nil, fmt.Errorf("consent: marshal archive key: %w", err)
	}
	body := binary.BigEndian.AppendUint16(nil, k.KEM().ID())
	return pem.EncodeToMemory(&pem.Block{Type: archivePrivatePEM, Bytes: append(body, b...)}), nil
}

// ParseArchivePublicKey decodes MarshalArchivePublicKey's output.
func ParseArchivePublicKey(b []byte) (hpke.PublicKey, error) {
	kem, key, err := archivePEM(b, archivePublicPEM)
	if err != nil {
		return nil, err
	}
	pub, err := kem.NewPublicKey(key)
	if err != nil {
		return nil, fmt.Errorf("consent: archive public key: %w", err)
	}
	return pub, nil
}

// ParseArchivePrivateKey decodes MarshalArchivePrivateKey's output.
func ParseArchivePrivateKey(b []byte) (hpke.PrivateKey, error) {
	kem, key, err := archivePEM(b, archivePrivatePEM)
	if err != nil {
		return nil, err
	}
	k, err := kem.NewPrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("consent: archive private key: %w", err)
	}
	return k, nil
}

func archivePEM(b []byte, typ string) (hpke.KEM, []byte, error) {
	blk, _ := pem.Decode(b)
	if blk == nil || blk.Type != typ || len(blk.Bytes) < 2 {
		return nil, nil, fmt.Errorf("consent: not a PEM %q block", typ)
	}
	kem, err := hpke.NewKEM(binary.BigEndian.Uint16(blk.Bytes))
	if err != nil {
		return nil, nil, fmt.Errorf("consent: %s: %w", typ, err)
	}
	return kem, blk.Bytes[2:], nil
}

// LoadArchivePublicKey reads an archive public key file.
func LoadArchivePublicKey(path string) (hpke.PublicKey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("consent: read archive public key: %w", err)
	}
	return ParseArchivePublicKey(b)
}

// LoadArchivePrivateKey reads an archive private key file.
func LoadArchivePrivateKey(path string) (hpke.PrivateKey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("consent: read archive private key: %w", err)
	}
	return ParseArchivePrivateKey(b)
}
