package evidence_test

import (
	"bytes"
	"crypto/ed25519"
	"testing"
	"time"

	"github.com/ventanilla-mx/ventanilla/archive/evidence"
)

type edSigner ed25519.PrivateKey

func (s edSigner) Sign(m []byte) ([]byte, error) { return ed25519.Sign(ed25519.PrivateKey(s), m), nil }

func bundle(t testing.TB) []byte {
	pub, priv, _ := ed25519.GenerateKey(nil)
	h := &evidence.Header{Archive: "ventanilla.mx/archive/t", ArchiveKey: pub, Created: time.Unix(0, 0).UTC(),
		Selection: evidence.Selection{Request: "r_1"}, Kiosks: []evidence.Kiosk{{ID: "k", PublicKey: pub, Checkpoint: []byte("x\n")}}}
	var buf bytes.Buffer
	items := []evidence.Item{{Kiosk: "k", Index: 0, LeafHash: make([]byte, 32), Proof: [][]byte{make([]byte, 32)}}}
	if err := evidence.Write(&buf, h, items, edSigner(priv)); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestParseChecksTheArchiveSignature(t *testing.T) {
	raw := bundle(t)
	if _, err := evidence.Parse(bytes.NewReader(raw)); err != nil {
		t.Fatal(err)
	}
	bad := bytes.Replace(raw, []byte(`"r_1"`), []byte(`"r_2"`), 1)
	if _, err := evidence.Parse(bytes.NewReader(bad)); err == nil {
		t.Fatal("edited selection still parses")
	}
}

// FuzzParseVerify: parsing and verifying outside bytes never panics.
func FuzzParseVerify(f *testing.F) {
	f.Add(bundle(f))
	f.Fuzz(func(t *testing.T, raw []byte) {
		b, err := evidence.Parse(bytes.NewReader(raw))
		if err != nil {
			return
		}
		evidence.Verify(b, evidence.Options{})
	})
}
