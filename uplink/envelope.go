package uplink

import (
	"crypto/ecdh"
	"encoding/binary"
)

var x25519Curve = ecdh.X25519()

// envelopeHeader is the clear part of a sealed request:
//
//	magic "VNTLREQ1" | u16 KEM | u16 KDF | u16 AEAD | u8 len | key id | u16 len | enc
//
// followed by the HPKE ciphertext. Everything before enc is bound through
// the HPKE info parameter; enc is bound by the KEM itself.
type envelopeHeader struct {
	kem, kdf, aead uint16
	kid            string
	enc            []byte
}

const maxKeyID = 64

// prefix returns the header up to (not including) the enc length.
func (h *envelopeHeader) prefix() []byte {
	b := make([]byte, 0, len(requestMagic)+7+len(h.kid))
	b = append(b, requestMagic...)
	b = binary.BigEndian.AppendUint16(b, h.kem)
	b = binary.BigEndian.AppendUint16(b, h.kdf)
	b = binary.BigEndian.AppendUint16(b, h.aead)
	b = append(b, byte(len(h.kid)))
	return append(b, h.kid...)
}

// info is the HPKE info string: the protocol label, a zero byte, the prefix.
func (h *envelopeHeader) info() []byte {
	return append(append([]byte(requestInfo), 0), h.prefix()...)
}

func (h *envelopeHeader) appendTo(b []byte) []byte {
	b = append(b, h.prefix()...)
	b = binary.BigEndian.AppendUint16(b, uint16(len(h.enc)))
	return append(b, h.enc...)
}

// parseEnvelope splits a sealed request into header and ciphertext.
func parseEnvelope(b []byte) (*envelopeHeader, []byte, error) {
	const fixed = len(requestMagic) + 7
	if len(b) < fixed || string(b[:len(requestMagic)]) != requestMagic {
		return nil, nil, malformed("request envelope magic")
	}
	h := &envelopeHeader{
		kem:  binary.BigEndian.Uint16(b[8:]),
		kdf:  binary.BigEndian.Uint16(b[10:]),
		aead: binary.BigEndian.Uint16(b[12:]),
	}
	kl := int(b[14])
	rest := b[fixed:]
	if kl == 0 || kl > maxKeyID || len(rest) < kl+2 {
		return nil, nil, malformed("request envelope key id")
	}
	h.kid, rest = string(rest[:kl]), rest[kl:]
	el := int(binary.BigEndian.Uint16(rest))
	rest = rest[2:]
	if el == 0 || len(rest) <= el {
		return nil, nil, malformed("request envelope enc")
	}
	h.enc = rest[:el]
	return h, rest[el:], nil
}
