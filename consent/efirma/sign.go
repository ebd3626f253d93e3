package efirma

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"math/big"

	"github.com/ventanilla-mx/ventanilla/consent"
	"github.com/ventanilla-mx/ventanilla/secmem"
)

// Errors of signing. They never carry the subject.
var (
	ErrCertificate = errors.New("efirma: .cer is not an RSA X.509 certificate")
	ErrNotCertKey  = errors.New("efirma: the .key is not the .cer's private key")
)

// Sign opens keyFile with password, checks it is the key of certDER, and
// returns the e.firma over statement (RSASSA-PKCS1-v1_5, SHA-256). The
// decrypted key is wiped before Sign returns. The chain is not verified
// here: consent.EFirma.Verify (the ledger's append) does that.
func Sign(a *secmem.Allocator, certDER, keyFile, password, statement []byte) (*consent.EFirma, error) {
	cert, err := x509.ParseCertificate(certDER)
	if err != nil {
		return nil, ErrCertificate
	}
	pub, ok := cert.PublicKey.(*rsa.PublicKey)
	if !ok {
		return nil, ErrCertificate
	}
	buf, err := Decrypt(a, keyFile, password)
	if err != nil {
		return nil, err
	}
	defer buf.Release()
	parsed, err := x509.ParsePKCS8PrivateKey(buf.Bytes())
	if err != nil {
		return nil, ErrKeyFormat
	}
	key, ok := parsed.(*rsa.PrivateKey)
	if !ok {
		return nil, ErrUnsupported
	}
	defer wipeKey(key)
	if !key.PublicKey.Equal(pub) {
		return nil, ErrNotCertKey
	}
	sum := sha256.Sum256(statement)
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
	if err != nil {
		return nil, ErrKeyFormat
	}
	return &consent.EFirma{Certificate: append([]byte(nil), certDER...), Signature: sig}, nil
}

// wipeKey clears the private integers the parsed key exposes.
func wipeKey(k *rsa.PrivateKey) {
	ints := []*big.Int{k.D, k.Precomputed.Dp, k.Precomputed.Dq, k.Precomputed.Qinv}
	ints = append(ints, k.Primes...)
	for _, n := range ints {
		if n != nil {
			clear(n.Bits())
		}
	}
}
