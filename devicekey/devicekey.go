package devicekey

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"golang.org/x/mod/sumdb/note"
)

// Signer signs messages with the device key. Implementations must be safe for
// concurrent use.
type Signer interface {
	// Sign returns an Ed25519 signature of msg.
	Sign(msg []byte) ([]byte, error)
	// Public returns the public half of the device key.
	Public() ed25519.PublicKey
}

// Key is a file-backed device key.
type Key struct {
	priv ed25519.PrivateKey
}

var _ Signer = (*Key)(nil)

// New wraps an existing private key (tests, or a key from another store).
func New(priv ed25519.PrivateKey) *Key { return &Key{priv: priv} }

// Generate makes a new random key in memory.
func Generate() (*Key, error) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("devicekey: generate: %w", err)
	}
	return &Key{priv: priv}, nil
}

// Load reads a PEM PKCS#8 Ed25519 private key from path. A missing file is
// reported with an error that wraps fs.ErrNotExist.
func Load(path string) (*Key, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("devicekey: read %s: %w", path, err)
	}
	return Parse(b)
}

// Parse decodes a PEM PKCS#8 Ed25519 private key.
func Parse(pemBytes []byte) (*Key, error) {
	blk, _ := pem.Decode(pemBytes)
	if blk == nil || blk.Type != "PRIVATE KEY" {
		return nil, errors.New("devicekey: not a PEM \"PRIVATE KEY\" block")
	}
	k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		return nil, fmt.Errorf("devicekey: parse PKCS#8: %w", err)
	}
	priv, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("devicekey: key is %T, want Ed25519", k)
	}
	return &Key{priv: priv}, nil
}

// LoadOrCreate loads the key at path, or creates one there (mode 0600) if the
// file does not exist. created reports whether a new key was written.
func LoadOrCreate(path string) (k *Key, created bool, err error) {
	k, err = Load(path)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return k, false, err
	}
	if k, err = Generate(); err != nil {
		return nil, false, err
	}
	return k, true, k.WriteFile(path)
}

// WriteFile stores the key at path with mode 0600, refusing to overwrite.
func (k *Key) WriteFile(path string) error {
	der, err := x509.MarshalPKCS8PrivateKey(k.priv)
	if err != nil {
		return fmt.Errorf("devicekey: marshal: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("devicekey: create %s: %w", path, err)
	}
	if err := pem.Encode(f, &pem.Block{Type: "PRIVATE KEY", Bytes: der}); err != nil {
		f.Close()
		return fmt.Errorf("devicekey: write %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("devicekey: sync %s: %w", path, err)
	}
	return f.Close()
}

// Sign implements Signer.
func (k *Key) Sign(msg []byte) ([]byte, error) { return ed25519.Sign(k.priv, msg), nil }

// Public implements Signer.
func (k *Key) Public() ed25519.PublicKey { return k.priv.Public().(ed25519.PublicKey) }

// MarshalPublicPEM returns the public key as a PEM "PUBLIC KEY" (PKIX) block.
func MarshalPublicPEM(pub ed25519.PublicKey) ([]byte, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, fmt.Errorf("devicekey: marshal public key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), nil
}

// ParsePublicPEM decodes a PEM "PUBLIC KEY" block holding an Ed25519 key.
func ParsePublicPEM(b []byte) (ed25519.PublicKey, error) {
	blk, _ := pem.Decode(b)
	if blk == nil || blk.Type != "PUBLIC KEY" {
		return nil, errors.New("devicekey: not a PEM \"PUBLIC KEY\" block")
	}
	k, err := x509.ParsePKIXPublicKey(blk.Bytes)
	if err != nil {
		return nil, fmt.Errorf("devicekey: parse public key: %w", err)
	}
	pub, ok := k.(ed25519.PublicKey)
	if !ok {
		return nil, fmt.Errorf("devicekey: public key is %T, want Ed25519", k)
	}
	return pub, nil
}

// NoteSigner adapts s to a signed-note signer named name (for checkpoints).
func NoteSigner(name string, s Signer) (note.Signer, error) {
	v, err := NoteVerifier(name, s.Public())
	if err != nil {
		return nil, err
	}
	return &noteSigner{name: name, hash: v.KeyHash(), s: s}, nil
}

// NoteVerifier returns the signed-note verifier for pub under name.
func NoteVerifier(name string, pub ed25519.PublicKey) (note.Verifier, error) {
	vkey, err := note.NewEd25519VerifierKey(name, pub)
	if err != nil {
		return nil, fmt.Errorf("devicekey: verifier key: %w", err)
	}
	v, err := note.NewVerifier(vkey)
	if err != nil {
		return nil, fmt.Errorf("devicekey: verifier: %w", err)
	}
	return v, nil
}

type noteSigner struct {
	name string
	hash uint32
	s    Signer
}

func (n *noteSigner) Name() string                    { return n.name }
func (n *noteSigner) KeyHash() uint32                 { return n.hash }
func (n *noteSigner) Sign(msg []byte) ([]byte, error) { return n.s.Sign(msg) }
