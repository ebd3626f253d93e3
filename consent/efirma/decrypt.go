package efirma

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/des"
	"crypto/pbkdf2"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"hash"
	"unsafe"

	"github.com/ventanilla-mx/ventanilla/secmem"
)

// Errors of opening a .key. They never carry key bytes or the password.
var (
	ErrKeyFormat   = errors.New("efirma: .key is not a PKCS#8 encrypted private key")
	ErrUnsupported = errors.New("efirma: .key encryption scheme not supported")
	ErrPassword    = errors.New("efirma: wrong password for the .key")
)

// Bounds on outside bytes. SAT's keys are ~1.3 KiB with 2048 iterations.
const (
	MaxKeyFile    = 16 << 10
	maxIterations = 1 << 17
	maxSalt       = 64
)

var (
	oidPBES2      = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 13}
	oidPBKDF2     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 12}
	oidHMACSHA1   = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 7}
	oidHMACSHA256 = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 9}
	oidHMACSHA512 = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 11}
	oidDESEDE3CBC = asn1.ObjectIdentifier{1, 2, 840, 113549, 3, 7}
	oidAES128CBC  = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 2}
	oidAES192CBC  = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 22}
	oidAES256CBC  = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 42}
)

type algorithm struct {
	Algorithm  asn1.ObjectIdentifier
	Parameters asn1.RawValue `asn1:"optional"`
}

type encryptedPrivateKeyInfo struct {
	Algorithm     algorithm
	EncryptedData []byte
}

type pbes2Params struct {
	KDF algorithm
	Enc algorithm
}

type pbkdf2Params struct {
	Salt      []byte
	Iter      int
	KeyLength int       `asn1:"optional"`
	PRF       algorithm `asn1:"optional"`
}

// scheme is one parsed PBES2 parameter set.
type scheme struct {
	prf    func() hash.Hash
	salt   []byte
	iter   int
	keyLen int
	block  func([]byte) (cipher.Block, error)
	iv     []byte
	data   []byte
}

// Decrypt opens an encrypted PKCS#8 key (DER, or PEM "ENCRYPTED PRIVATE
// KEY") with password into a locked buffer holding the PrivateKeyInfo DER.
// The caller owns the buffer and must Release it (Release wipes it).
func Decrypt(a *secmem.Allocator, keyFile, password []byte) (*secmem.Buffer, error) {
	s, err := parse(keyFile)
	if err != nil {
		return nil, err
	}
	dk, err := pbkdf2.Key(s.prf, unsafeString(password), s.salt, s.iter, s.keyLen)
	if err != nil {
		return nil, ErrUnsupported
	}
	defer secmem.Wipe(dk)
	blk, err := s.block(dk)
	if err != nil {
		return nil, ErrUnsupported
	}
	buf, err := a.Alloc(len(s.data))
	if err != nil {
		return nil, err
	}
	plain := buf.Bytes()
	copy(plain, s.data)
	cipher.NewCBCDecrypter(blk, s.iv).CryptBlocks(plain, plain)
	n, ok := unpad(plain, blk.BlockSize())
	if !ok || !isPrivateKeyInfo(plain[:n]) {
		buf.Release()
		return nil, ErrPassword
	}
	return trim(a, buf, n)
}

// trim moves the first n bytes of buf into a buffer of exactly n bytes.
func trim(a *secmem.Allocator, buf *secmem.Buffer, n int) (*secmem.Buffer, error) {
	defer buf.Release()
	out, err := a.Alloc(n)
	if err != nil {
		return nil, err
	}
	copy(out.Bytes(), buf.Bytes()[:n])
	return out, nil
}

// unsafeString views the password without copying it to the Go heap.
func unsafeString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

func parse(keyFile []byte) (*scheme, error) {
	if len(keyFile) == 0 || len(keyFile) > MaxKeyFile {
		return nil, ErrKeyFormat
	}
	if p, _ := pem.Decode(keyFile); p != nil {
		if p.Type != "ENCRYPTED PRIVATE KEY" {
			return nil, ErrKeyFormat
		}
		keyFile = p.Bytes
	}
	var info encryptedPrivateKeyInfo
	if rest, err := asn1.Unmarshal(keyFile, &info); err != nil || len(rest) != 0 {
		return nil, ErrKeyFormat
	}
	if !info.Algorithm.Algorithm.Equal(oidPBES2) {
		return nil, ErrUnsupported
	}
	var p pbes2Params
	if rest, err := asn1.Unmarshal(info.Algorithm.Parameters.FullBytes, &p); err != nil || len(rest) != 0 {
		return nil, ErrKeyFormat
	}
	s := &scheme{data: info.EncryptedData}
	if err := s.kdf(p.KDF); err != nil {
		return nil, err
	}
	if err := s.cipher(p.Enc); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *scheme) kdf(a algorithm) error {
	if !a.Algorithm.Equal(oidPBKDF2) {
		return ErrUnsupported
	}
	var p pbkdf2Params
	if rest, err := asn1.Unmarshal(a.Parameters.FullBytes, &p); err != nil || len(rest) != 0 {
		return ErrKeyFormat
	}
	if len(p.Salt) == 0 || len(p.Salt) > maxSalt || p.Iter < 1 || p.Iter > maxIterations {
		return ErrUnsupported
	}
	s.salt, s.iter, s.keyLen = p.Salt, p.Iter, p.KeyLength
	switch prf := p.PRF.Algorithm; {
	case len(prf) == 0 || prf.Equal(oidHMACSHA1):
		s.prf = sha1.New
	case prf.Equal(oidHMACSHA256):
		s.prf = sha256.New
	case prf.Equal(oidHMACSHA512):
		s.prf = sha512.New
	default:
		return ErrUnsupported
	}
	return nil
}

func (s *scheme) cipher(a algorithm) error {
	keyLen, blockSize := 0, 0
	switch alg := a.Algorithm; {
	case alg.Equal(oidDESEDE3CBC):
		keyLen, blockSize, s.block = 24, des.BlockSize, des.NewTripleDESCipher
	case alg.Equal(oidAES128CBC):
		keyLen, blockSize, s.block = 16, aes.BlockSize, aes.NewCipher
	case alg.Equal(oidAES192CBC):
		keyLen, blockSize, s.block = 24, aes.BlockSize, aes.NewCipher
	case alg.Equal(oidAES256CBC):
		keyLen, blockSize, s.block = 32, aes.BlockSize, aes.NewCipher
	default:
		return ErrUnsupported
	}
	if s.keyLen != 0 && s.keyLen != keyLen {
		return ErrUnsupported
	}
	s.keyLen = keyLen
	if rest, err := asn1.Unmarshal(a.Parameters.FullBytes, &s.iv); err != nil || len(rest) != 0 || len(s.iv) != blockSize {
		return ErrKeyFormat
	}
	if len(s.data) == 0 || len(s.data)%blockSize != 0 {
		return ErrKeyFormat
	}
	return nil
}

// unpad checks PKCS#7 padding in constant shape and returns the plain length.
func unpad(b []byte, blockSize int) (int, bool) {
	pad := int(b[len(b)-1])
	if pad < 1 || pad > blockSize {
		return 0, false
	}
	bad := byte(0)
	for _, c := range b[len(b)-pad:] {
		bad |= c ^ byte(pad)
	}
	return len(b) - pad, bad == 0
}

// isPrivateKeyInfo checks the decrypted bytes are one DER SEQUENCE filling
// them exactly (a wrong password gives noise that almost never is).
func isPrivateKeyInfo(b []byte) bool {
	var raw asn1.RawValue
	rest, err := asn1.Unmarshal(b, &raw)
	return err == nil && len(rest) == 0 && raw.Tag == asn1.TagSequence && raw.IsCompound
}
