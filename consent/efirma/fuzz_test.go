package efirma_test

import (
	"testing"

	"github.com/ventanilla-mx/ventanilla/consent/consenttest"
	"github.com/ventanilla-mx/ventanilla/consent/efirma"
	"github.com/ventanilla-mx/ventanilla/consent/efirma/efirmatest"
	"github.com/ventanilla-mx/ventanilla/secmem"
)

// FuzzDecrypt feeds outside bytes to the .key decoder: it must never panic,
// and a buffer it returns must hold one DER SEQUENCE.
func FuzzDecrypt(f *testing.F) {
	key := consenttest.RSAKey(f, 1)
	f.Add(efirmatest.Encrypt(f, key, "pw", efirmatest.DES3), []byte("pw"))
	f.Add(efirmatest.Encrypt(f, key, "pw", efirmatest.AES256), []byte("x"))
	f.Add([]byte{0x30, 0x03, 0x02, 0x01, 0x00}, []byte(""))
	a := secmem.NewAllocator(secmem.DefaultOpts())
	f.Fuzz(func(t *testing.T, keyFile, pw []byte) {
		buf, err := efirma.Decrypt(a, keyFile, pw)
		if err != nil {
			return
		}
		defer buf.Release()
		if b := buf.Bytes(); len(b) < 2 || b[0] != 0x30 {
			t.Fatalf("accepted a plaintext that is not a SEQUENCE")
		}
	})
}
