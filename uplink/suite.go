package uplink

import (
	"crypto/hpke"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"strconv"
	"strings"
)

// KEM names accepted in configuration.
const (
	KEMMLKEM768X25519 = "mlkem768-x25519" // default: post-quantum hybrid (X-Wing)
	KEMX25519         = "x25519"          // DHKEM(X25519, HKDF-SHA256), classical only
)

// The fixed parts of the suite: HKDF-SHA256 and AES-256-GCM.
var (
	suiteKDF  = hpke.HKDFSHA256()
	suiteAEAD = hpke.AES256GCM()
)

// KEMByName returns the HPKE KEM for a configuration name.
func KEMByName(name string) (hpke.KEM, error) {
	switch strings.ToLower(name) {
	case KEMMLKEM768X25519, "":
		return hpke.MLKEM768X25519(), nil
	case KEMX25519:
		return hpke.DHKEM(x25519Curve), nil
	}
	return nil, fmt.Errorf("uplink: KEM %q: want %s or %s", name, KEMMLKEM768X25519, KEMX25519)
}

// KEMName is the configuration name of a KEM ID (or its hex ID).
func KEMName(id uint16) string {
	switch id {
	case hpke.MLKEM768X25519().ID():
		return KEMMLKEM768X25519
	case hpke.DHKEM(x25519Curve).ID():
		return KEMX25519
	}
	return fmt.Sprintf("0x%04x", id)
}

func allowedKEM(id uint16) bool {
	return id == hpke.MLKEM768X25519().ID() || id == hpke.DHKEM(x25519Curve).ID()
}

// KeyID names an INE HPKE public key: the first 8 bytes, in hex, of
// SHA-256(u16 KEM ID || serialized public key).
func KeyID(pk hpke.PublicKey) string {
	h := sha256.New()
	binary.Write(h, binary.BigEndian, pk.KEM().ID())
	h.Write(pk.Bytes())
	return hex.EncodeToString(h.Sum(nil)[:8])
}

// PEM block types for HPKE keys. The body is the RFC 9180 serialization;
// the "KEM" header holds the KEM ID in hex.
const (
	pemHPKEPublic  = "HPKE PUBLIC KEY"
	pemHPKEPrivate = "HPKE PRIVATE KEY"
)

// MarshalPublicKeyPEM encodes an HPKE public key (INE publishes this file).
func MarshalPublicKeyPEM(pk hpke.PublicKey) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: pemHPKEPublic, Bytes: pk.Bytes(),
		Headers: map[string]string{"KEM": fmt.Sprintf("0x%04x", pk.KEM().ID()), "Key-Id": KeyID(pk)}})
}

// ParsePublicKeyPEM decodes MarshalPublicKeyPEM's output.
func ParsePublicKeyPEM(b []byte) (hpke.PublicKey, error) {
	blk, kem, err := decodeKeyPEM(b, pemHPKEPublic)
	if err != nil {
		return nil, err
	}
	pk, err := kem.NewPublicKey(blk.Bytes)
	if err != nil {
		return nil, fmt.Errorf("uplink: HPKE public key: %w", err)
	}
	return pk, nil
}

// MarshalPrivateKeyPEM encodes an HPKE private key (INE side only).
func MarshalPrivateKeyPEM(sk hpke.PrivateKey) ([]byte, error) {
	b, err := sk.Bytes()
	if err != nil {
		return nil, fmt.Errorf("uplink: HPKE private key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: pemHPKEPrivate, Bytes: b,
		Headers: map[string]string{"KEM": fmt.Sprintf("0x%04x", sk.KEM().ID())}}), nil
}

// ParsePrivateKeyPEM decodes MarshalPrivateKeyPEM's output.
func ParsePrivateKeyPEM(b []byte) (hpke.PrivateKey, error) {
	blk, kem, err := decodeKeyPEM(b, pemHPKEPrivate)
	if err != nil {
		return nil, err
	}
	sk, err := kem.NewPrivateKey(blk.Bytes)
	if err != nil {
		return nil, fmt.Errorf("uplink: HPKE private key: %w", err)
	}
	return sk, nil
}

func decodeKeyPEM(b []byte, typ string) (*pem.Block, hpke.KEM, error) {
	blk, _ := pem.Decode(b)
	if blk == nil || blk.Type != typ {
		return nil, nil, fmt.Errorf("uplink: want a PEM %q block", typ)
	}
	id, err := strconv.ParseUint(strings.TrimPrefix(blk.Headers["KEM"], "0x"), 16, 16)
	if err != nil || !allowedKEM(uint16(id)) {
		return nil, nil, fmt.Errorf("uplink: PEM %q: KEM header must name %s or %s", typ, KEMMLKEM768X25519, KEMX25519)
	}
	kem, err := hpke.NewKEM(uint16(id))
	if err != nil {
		return nil, nil, fmt.Errorf("uplink: KEM: %w", err)
	}
	return blk, kem, nil
}
