package efirma_test

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ventanilla-mx/ventanilla/consent/consenttest"
	"github.com/ventanilla-mx/ventanilla/consent/efirma"
	"github.com/ventanilla-mx/ventanilla/consent/efirma/efirmatest"
	"github.com/ventanilla-mx/ventanilla/internal/testenv"
	"github.com/ventanilla-mx/ventanilla/secmem"
)

const password = "Contraseña-de-prueba 1"

func newAlloc(t *testing.T) *secmem.Allocator {
	a := secmem.NewAllocator(secmem.DefaultOpts())
	t.Cleanup(func() {
		if err := a.AuditReleased(); err != nil {
			t.Errorf("locked buffers not released: %v", err)
		}
		a.Close()
	})
	return a
}

func TestDecryptRoundTrip(t *testing.T) {
	key := consenttest.RSAKey(t, 1)
	want, _ := x509.MarshalPKCS8PrivateKey(key)
	for name, c := range map[string]efirmatest.Cipher{"des3": efirmatest.DES3, "aes256": efirmatest.AES256} {
		t.Run(name, func(t *testing.T) {
			a := newAlloc(t)
			enc := efirmatest.Encrypt(t, key, password, c)
			buf, err := efirma.Decrypt(a, enc, []byte(password))
			if err != nil {
				t.Fatal(err)
			}
			defer buf.Release()
			if !bytes.Equal(buf.Bytes(), want) {
				t.Fatal("decrypted key differs from the encrypted one")
			}
			pemKey := pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED PRIVATE KEY", Bytes: enc})
			buf2, err := efirma.Decrypt(a, pemKey, []byte(password))
			if err != nil {
				t.Fatalf("PEM form: %v", err)
			}
			buf2.Release()
		})
	}
}

// TestDecryptOpenSSL opens a key encrypted by `openssl pkcs8 -topk8 -v2
// des3`, the scheme of SAT's .key files.
func TestDecryptOpenSSL(t *testing.T) {
	bin, err := exec.LookPath("openssl")
	testenv.Require(t, "openssl", err)
	key := consenttest.RSAKey(t, 1)
	der, _ := x509.MarshalPKCS8PrivateKey(key)
	dir := t.TempDir()
	in := filepath.Join(dir, "k.pem")
	if err := os.WriteFile(in, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "k.key")
	cmd := exec.Command(bin, "pkcs8", "-topk8", "-v2", "des3", "-in", in, "-outform", "DER", "-out", out, "-passout", "pass:"+password)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("openssl: %v: %s", err, b)
	}
	enc, _ := os.ReadFile(out)
	a := newAlloc(t)
	buf, err := efirma.Decrypt(a, enc, []byte(password))
	if err != nil {
		t.Fatal(err)
	}
	defer buf.Release()
	if !bytes.Equal(buf.Bytes(), der) {
		t.Fatal("decrypted key differs from openssl's input")
	}
}

func TestDecryptErrors(t *testing.T) {
	a := newAlloc(t)
	enc := efirmatest.Encrypt(t, consenttest.RSAKey(t, 1), password, efirmatest.DES3)
	unsupported := bytes.Clone(enc)
	// Turn des-ede3-cbc (1.2.840.113549.3.7) into rc2-cbc (…3.2).
	i := bytes.Index(unsupported, []byte{0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x03, 0x07})
	unsupported[i+7] = 0x02
	for _, tc := range []struct {
		name    string
		key, pw []byte
		want    error
	}{
		{"wrong password", enc, []byte("otra contraseña"), efirma.ErrPassword},
		{"empty password", enc, nil, efirma.ErrPassword},
		{"unsupported cipher", unsupported, []byte(password), efirma.ErrUnsupported},
		{"not a key", []byte("-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n"), []byte(password), efirma.ErrKeyFormat},
		{"truncated", enc[:len(enc)-9], []byte(password), efirma.ErrKeyFormat},
		{"empty", nil, []byte(password), efirma.ErrKeyFormat},
	} {
		t.Run(tc.name, func(t *testing.T) {
			buf, err := efirma.Decrypt(a, tc.key, tc.pw)
			if buf != nil {
				buf.Release()
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
			if strings.Contains(err.Error(), password) || strings.Contains(err.Error(), "otra") {
				t.Fatalf("error %q carries the password", err)
			}
		})
	}
}

func TestSignVerifies(t *testing.T) {
	a := newAlloc(t)
	ca := consenttest.NewSATCA(t, 0)
	cit := ca.DefaultCitizen(t)
	enc := efirmatest.Encrypt(t, cit.Key, password, efirmatest.DES3)
	st := consenttest.Statement(0)
	sb, _ := st.Bytes()
	ef, err := efirma.Sign(a, cit.Cert, enc, []byte(password), sb)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ef.Verify(sb, st.Time, ca.Pool); err != nil {
		t.Fatalf("signature does not verify: %v", err)
	}
	other := efirmatest.Encrypt(t, consenttest.RSAKey(t, 2), password, efirmatest.DES3)
	if _, err := efirma.Sign(a, cit.Cert, other, []byte(password), sb); !errors.Is(err, efirma.ErrNotCertKey) {
		t.Fatalf("another key signed for the certificate: %v", err)
	}
	if _, err := efirma.Sign(a, cit.Cert, enc, []byte("mal"), sb); !errors.Is(err, efirma.ErrPassword) {
		t.Fatalf("wrong password: %v", err)
	}
	if _, err := efirma.Sign(a, enc, enc, []byte(password), sb); !errors.Is(err, efirma.ErrCertificate) {
		t.Fatalf("a .key as .cer: %v", err)
	}
}
