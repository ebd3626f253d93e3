package devicekey

import (
	"crypto/ed25519"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/mod/sumdb/note"
)

func TestLoadOrCreateRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "device.key")
	k1, created, err := LoadOrCreate(path)
	if err != nil || !created {
		t.Fatalf("LoadOrCreate new: created=%v err=%v", created, err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("key file mode = %v, want 0600", st.Mode().Perm())
	}
	k2, created, err := LoadOrCreate(path)
	if err != nil || created {
		t.Fatalf("LoadOrCreate existing: created=%v err=%v", created, err)
	}
	if !k1.Public().Equal(k2.Public()) {
		t.Fatal("reloaded key differs")
	}
	msg := []byte("consent")
	sig, _ := k2.Sign(msg)
	if !ed25519.Verify(k1.Public(), msg, sig) {
		t.Fatal("signature does not verify")
	}
	if err := k1.WriteFile(path); err == nil {
		t.Fatal("WriteFile overwrote an existing key")
	}
}

func TestLoadMissingIsNotExist(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "absent"))
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("err = %v, want fs.ErrNotExist", err)
	}
}

func TestParseRejectsGarbage(t *testing.T) {
	for _, in := range []string{"", "not pem", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"} {
		if _, err := Parse([]byte(in)); err == nil {
			t.Errorf("Parse(%q) succeeded", in)
		}
	}
}

func TestPublicPEMRoundTrip(t *testing.T) {
	k, _ := Generate()
	b, err := MarshalPublicPEM(k.Public())
	if err != nil {
		t.Fatal(err)
	}
	pub, err := ParsePublicPEM(b)
	if err != nil || !pub.Equal(k.Public()) {
		t.Fatalf("round trip: %v", err)
	}
}

func TestNoteSignerVerifies(t *testing.T) {
	k, _ := Generate()
	const name = "ventanilla.mx/consent/kiosk-1"
	s, err := NoteSigner(name, k)
	if err != nil {
		t.Fatal(err)
	}
	msg, err := note.Sign(&note.Note{Text: "ventanilla.mx/consent/kiosk-1\n1\nAAAA\n"}, s)
	if err != nil {
		t.Fatal(err)
	}
	v, _ := NoteVerifier(name, k.Public())
	if _, err := note.Open(msg, note.VerifierList(v)); err != nil {
		t.Fatalf("open: %v", err)
	}
	other, _ := Generate()
	v2, _ := NoteVerifier(name, other.Public())
	if _, err := note.Open(msg, note.VerifierList(v2)); err == nil {
		t.Fatal("note verified under another key")
	}
}
