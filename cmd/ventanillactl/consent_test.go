package main

import (
	"bytes"
	"context"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ventanilla-mx/ventanilla/consent"
	"github.com/ventanilla-mx/ventanilla/consent/consenttest"
	"github.com/ventanilla-mx/ventanilla/consent/ledger"
	"github.com/ventanilla-mx/ventanilla/devicekey"
	"golang.org/x/mod/sumdb/note"
)

type consentEnv struct {
	dir, db, pub, archive, ca, key string
	fx                             *consenttest.Fixture
}

// newConsentEnv writes a ledger with n consents (consent 1 also signed with
// e.firma), the device public key, the archive private key and the CA.
func newConsentEnv(t testing.TB, n int) *consentEnv {
	dir := t.TempDir()
	e := &consentEnv{dir: dir, db: filepath.Join(dir, "consent.db"), pub: filepath.Join(dir, "device.pub"),
		archive: filepath.Join(dir, "archive.key"), ca: filepath.Join(dir, "ca.pem"), key: filepath.Join(dir, "device.key"),
		fx: consenttest.New(t).WithCA(t)}
	if err := e.fx.Device.WriteFile(e.key); err != nil {
		t.Fatal(err)
	}
	o := ledger.DefaultOpts()
	o.KioskID, o.Signer, o.Archive, o.Roots = consenttest.KioskID, e.fx.Device, e.fx.Archive.PublicKey(), e.fx.CA.Pool
	l, err := ledger.Open(e.db, o)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	for i := range n {
		st, p := consenttest.Statement(i), consenttest.Personal(i)
		if i == 1 {
			sb, _ := st.Bytes()
			p.EFirma = e.fx.CA.DefaultCitizen(t).Sign(t, sb)
		}
		if _, err := l.Append(context.Background(), st, p); err != nil {
			t.Fatal(err)
		}
	}
	pubPEM, _ := devicekey.MarshalPublicPEM(e.fx.Device.Public())
	priv, _ := consent.MarshalArchivePrivateKey(e.fx.Archive)
	caPEM := pemCert(e.fx.CA.Cert.Raw)
	for path, b := range map[string][]byte{e.pub: pubPEM, e.archive: priv, e.ca: caPEM} {
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

func pemCert(der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

func TestConsentExportVerifyOpen(t *testing.T) {
	e := newConsentEnv(t, 5)
	bundlePath := filepath.Join(e.dir, "evidence.jsonl")
	code, _, stderr := runCtl(t, "consent", "export", "--db", e.db, "--device-key", e.key, "--since", "2025-03-14",
		"--until", consenttest.Epoch.Add(time.Hour).Format(time.RFC3339), "-o", bundlePath)
	if code != exitOK || !strings.Contains(stderr, "exported 5 consent(s)") {
		t.Fatalf("export: %d %s", code, stderr)
	}
	code, out, _ := runCtl(t, "consent", "verify", bundlePath, "--pubkey", e.pub)
	if code != exitOK || !strings.Contains(out, "records:     5 of 5 verified") || !strings.Contains(out, "OK:") {
		t.Fatalf("verify: %d\n%s", code, out)
	}
	for i := range 5 {
		if p := consenttest.Personal(i); strings.Contains(out, p.Name) || strings.Contains(out, p.Credentials[0].Value) {
			t.Fatal("verify printed a personal field")
		}
	}
	svgDir := t.TempDir()
	code, out, _ = runCtl(t, "consent", "open", bundlePath, "--archive-key", e.archive, "--pubkey", e.pub, "--ca", e.ca,
		"--svg-dir", filepath.Join(svgDir, "absent"))
	if code == exitOK || out != "" {
		t.Fatalf("open with a missing --svg-dir: exit %d after printing %d bytes; want a refusal before any output", code, len(out))
	}
	code, out, stderr = runCtl(t, "consent", "open", bundlePath, "--archive-key", e.archive, "--pubkey", e.pub, "--ca", e.ca, "--svg-dir", svgDir)
	if code != exitOK {
		t.Fatalf("open: %d %s", code, stderr)
	}
	for _, want := range []string{consenttest.Personal(3).Name, "cic 100000003", "RFC XAXX010101000", "verifies against --ca", consenttest.Statement(4).ID.String()} {
		if !strings.Contains(out, want) {
			t.Errorf("open output lacks %q:\n%s", want, out)
		}
	}
	if svgs, _ := filepath.Glob(filepath.Join(svgDir, "*.svg")); len(svgs) != 5 {
		t.Fatalf("%d SVG files, want 5", len(svgs))
	}
}

func TestConsentVerifyFailsOnTamper(t *testing.T) {
	e := newConsentEnv(t, 3)
	bundlePath := filepath.Join(e.dir, "b.jsonl")
	id := consenttest.Statement(2).ID.String()
	if code, _, stderr := runCtl(t, "consent", "export", "--db", e.db, "--device-key", e.key, "--id", id, "-o", bundlePath); code != exitOK {
		t.Fatalf("export: %s", stderr)
	}
	b, _ := os.ReadFile(bundlePath)
	lines := bytes.Split(b, []byte("\n"))
	lines[1] = bytes.Replace(lines[1], []byte(`"index":2`), []byte(`"index":1`), 1)
	_ = os.WriteFile(bundlePath, bytes.Join(lines, []byte("\n")), 0o600)
	code, out, _ := runCtl(t, "consent", "verify", bundlePath, "--pubkey", e.pub)
	if code != exitFailed || !strings.Contains(out, "FAIL record "+id+" (index 1") {
		t.Fatalf("verify of a tampered bundle: %d\n%s", code, out)
	}
	if code, _, _ := runCtl(t, "consent", "open", bundlePath, "--archive-key", e.archive); code != exitFailed {
		t.Fatal("open accepted a bundle that does not verify")
	}
	other, _ := devicekey.Generate()
	vk := noteKey(t, other)
	if code, out, _ := runCtl(t, "consent", "verify", bundlePath, "--pubkey", vk); code != exitFailed || !strings.Contains(out, "differs from the trusted key") {
		t.Fatalf("verify with another key: %d\n%s", code, out)
	}
}

func TestConsentVerifyStoreAndUsage(t *testing.T) {
	e := newConsentEnv(t, 2)
	if code, out, _ := runCtl(t, "consent", "verify", "--db", e.db); code != exitOK || !strings.Contains(out, "records:     2") {
		t.Fatalf("audit: %d %s", code, out)
	}
	for _, args := range [][]string{
		{"consent"}, {"consent", "export", "-o", "x"}, {"consent", "export", "--since", "2025-01-01", "-o", "x"},
		{"consent", "verify"}, {"consent", "open", "x"}, {"consent", "keygen"}, {"consent", "export", "--id", "nope", "-o", "x"},
	} {
		if code, _, _ := runCtl(t, args...); code != exitUsage {
			t.Errorf("%v: exit %d, want %d", args, code, exitUsage)
		}
	}
}

func TestConsentKeygen(t *testing.T) {
	prefix := filepath.Join(t.TempDir(), "archivo")
	if code, _, stderr := runCtl(t, "consent", "keygen", "-o", prefix); code != exitOK {
		t.Fatal(stderr)
	}
	priv, err := consent.LoadArchivePrivateKey(prefix + ".key")
	if err != nil {
		t.Fatal(err)
	}
	pub, err := consent.LoadArchivePublicKey(prefix + ".pub")
	if err != nil || !bytes.Equal(pub.Bytes(), priv.PublicKey().Bytes()) {
		t.Fatalf("key pair does not match: %v", err)
	}
	if st, _ := os.Stat(prefix + ".key"); st.Mode().Perm() != 0o600 {
		t.Fatalf("private key mode %v", st.Mode().Perm())
	}
	if code, _, _ := runCtl(t, "consent", "keygen", "-o", prefix); code != exitFailed {
		t.Fatal("keygen overwrote an existing key")
	}
}

func noteKey(t *testing.T, k *devicekey.Key) string {
	vk, err := note.NewEd25519VerifierKey(consent.Origin(consenttest.KioskID), k.Public())
	if err != nil {
		t.Fatal(err)
	}
	return vk
}

// TestConsentVerifyPeriodGap is issue 17, finding 4 through the command: a
// period bundle with its first record removed and the range edited to
// match exited 0; now it fails, and open shows only the period's records.
func TestConsentVerifyPeriodGap(t *testing.T) {
	e := newConsentEnv(t, 5)
	path := filepath.Join(e.dir, "p.jsonl")
	since, until := consenttest.Epoch.Add(time.Second), consenttest.Epoch.Add(3*time.Second)
	if code, _, stderr := runCtl(t, "consent", "export", "--db", e.db, "--device-key", e.key, "--since", since.Format(time.RFC3339),
		"--until", until.Format(time.RFC3339), "-o", path); code != exitOK {
		t.Fatalf("export: %s", stderr)
	}
	code, out, _ := runCtl(t, "consent", "verify", path, "--pubkey", e.pub, "--since", since.Format(time.RFC3339), "--until", until.Format(time.RFC3339))
	if code != exitOK || !strings.Contains(out, "records 1..2") || strings.Count(out, "boundary:") != 2 {
		t.Fatalf("verify: %d\n%s", code, out)
	}
	code, out, _ = runCtl(t, "consent", "open", path, "--archive-key", e.archive, "--pubkey", e.pub)
	if code != exitOK || strings.Contains(out, consenttest.Statement(0).ID.String()) || !strings.Contains(out, consenttest.Statement(2).ID.String()) {
		t.Fatalf("open printed a boundary neighbour or missed a record: %d\n%s", code, out)
	}
	b, _ := os.ReadFile(path)
	lines := bytes.Split(b, []byte("\n"))
	// lines: header, index 0 (neighbour), 1, 2, 3 (neighbour), trailer, "".
	hdr := bytes.Replace(lines[0], []byte(`"range":{"first":1,`), []byte(`"range":{"first":2,`), 1)
	cut := bytes.Join([][]byte{hdr, lines[1], lines[3], lines[4], []byte(`{"end":{"records":3}}`), nil}, []byte("\n"))
	_ = os.WriteFile(path, cut, 0o600)
	if code, out, _ := runCtl(t, "consent", "verify", path, "--pubkey", e.pub); code != exitFailed || !strings.Contains(out, "FAIL header") {
		t.Fatalf("verify of a bundle missing its first record: %d\n%s", code, out)
	}
}
