// Package efirmatest makes encrypted PKCS#8 .key files the way SAT issues
// them (PBES2, PBKDF2 with HMAC-SHA1, DES-EDE3-CBC), or with AES-CBC, for
// tests of the e.firma path. It is for tests only: never for real keys.
package efirmatest

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/des"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"testing"
)

// Cipher names an encryption scheme of the .key.
type Cipher int

// The schemes Encrypt writes.
const (
	DES3   Cipher = iota // SAT's: DES-EDE3-CBC, PBKDF2 with HMAC-SHA1
	AES256               // AES-256-CBC, PBKDF2 with HMAC-SHA256
)

type alg struct {
	Algorithm  asn1.ObjectIdentifier
	Parameters asn1.RawValue `asn1:"optional"`
}

type kdfParams struct {
	Salt []byte
	Iter int
	PRF  alg `asn1:"optional"`
}

// Encrypt returns key as a DER EncryptedPrivateKeyInfo under password.
func Encrypt(t testing.TB, key *rsa.PrivateKey, password string, c Cipher) []byte {
	t.Helper()
	plain, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	salt, iv := make([]byte, 8), make([]byte, 8)
	rand.Read(salt)
	kdf := kdfParams{Salt: salt, Iter: 2048}
	encOID, keyLen := asn1.ObjectIdentifier{1, 2, 840, 113549, 3, 7}, 24
	if c == AES256 {
		iv = make([]byte, 16)
		encOID, keyLen = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 42}, 32
		kdf.PRF = alg{Algorithm: asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 9}, Parameters: asn1.NullRawValue}
	}
	rand.Read(iv)
	prf := sha1.New
	if c == AES256 {
		prf = sha256.New
	}
	dk, err := pbkdf2.Key(prf, password, salt, kdf.Iter, keyLen)
	if err != nil {
		t.Fatal(err)
	}
	var blk cipher.Block
	if c == AES256 {
		blk, err = aes.NewCipher(dk)
	} else {
		blk, err = des.NewTripleDESCipher(dk)
	}
	if err != nil {
		t.Fatal(err)
	}
	pad := blk.BlockSize() - len(plain)%blk.BlockSize()
	for range pad {
		plain = append(plain, byte(pad))
	}
	cipher.NewCBCEncrypter(blk, iv).CryptBlocks(plain, plain)
	return marshal(t, kdf, encOID, iv, plain)
}

func marshal(t testing.TB, kdf kdfParams, encOID asn1.ObjectIdentifier, iv, data []byte) []byte {
	t.Helper()
	must := func(b []byte, err error) asn1.RawValue {
		if err != nil {
			t.Fatal(err)
		}
		return asn1.RawValue{FullBytes: b}
	}
	kdfAlg := alg{Algorithm: asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 12}, Parameters: must(asn1.Marshal(kdf))}
	encAlg := alg{Algorithm: encOID, Parameters: must(asn1.Marshal(iv))}
	pbes2 := alg{Algorithm: asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 13},
		Parameters: must(asn1.Marshal(struct{ KDF, Enc alg }{kdfAlg, encAlg}))}
	out := must(asn1.Marshal(struct {
		Alg  alg
		Data []byte
	}{pbes2, data}))
	return out.FullBytes
}
