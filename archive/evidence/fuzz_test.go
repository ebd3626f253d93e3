package evidence_test

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"testing"
	"time"

	"github.com/ventanilla-mx/ventanilla/archive/evidence"
	"github.com/ventanilla-mx/ventanilla/consent"
	"github.com/ventanilla-mx/ventanilla/devicekey"
	"golang.org/x/mod/sumdb/note"
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

// FuzzVerifyItems gets past the archive signature: the fuzzed bytes are a
// record line, the bundle is signed around it, and Verify must not panic
// on any record, binding or proof.
func FuzzVerifyItems(f *testing.F) {
	f.Add([]byte(`{"kiosk":"k","index":0,"leaf_hash":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=","record":"AQI=","binding":"AQI=","proof":["AAAA"]}`))
	pub, priv, _ := ed25519.GenerateKey(nil)
	key := devicekey.New(priv)
	// A valid kiosk checkpoint (size 4) with the archive's countersignature,
	// so every item reaches the record, binding and proof checks.
	cp := consent.Checkpoint{Origin: consent.Origin("k"), Size: 4}
	kn, err := consent.SignCheckpoint(cp, key)
	if err != nil {
		f.Fatal(err)
	}
	as, _ := devicekey.NoteSigner("ventanilla.mx/archive/t", key)
	own, _ := note.Sign(&note.Note{Text: cp.Text()}, as)
	cosigned := append(kn, own[len(cp.Text())+1:]...)
	f.Fuzz(func(t *testing.T, line []byte) {
		var it evidence.Item
		if json.Unmarshal(line, &it) != nil {
			return
		}
		it.Kiosk = "k"
		h := &evidence.Header{Archive: "ventanilla.mx/archive/t", ArchiveKey: pub, Selection: evidence.Selection{Request: "r_1", Lookup: []byte{1}},
			Kiosks: []evidence.Kiosk{{ID: "k", PublicKey: pub, Checkpoint: cosigned}}}
		var buf bytes.Buffer
		if err := evidence.Write(&buf, h, []evidence.Item{it}, edSigner(priv)); err != nil {
			return
		}
		b, err := evidence.Parse(bytes.NewReader(buf.Bytes()))
		if err != nil {
			t.Fatalf("a bundle Write made does not parse: %v", err)
		}
		evidence.Verify(b, evidence.Options{})
	})
}
