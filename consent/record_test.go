package consent_test

import (
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ventanilla-mx/ventanilla/consent"
	"github.com/ventanilla-mx/ventanilla/consent/consenttest"
	"github.com/ventanilla-mx/ventanilla/devicekey"
)

var update = flag.Bool("update", false, "rewrite testdata golden files")

func TestIDRoundTrip(t *testing.T) {
	at := time.Date(2025, 1, 2, 3, 4, 5, 6_000_000, time.UTC)
	id, err := consent.NewID(at, bytes.NewReader(bytes.Repeat([]byte{0xff}, 10)))
	if err != nil {
		t.Fatal(err)
	}
	if !id.Valid() || !id.Time().Equal(at) {
		t.Fatalf("id %s: valid=%v time=%v", id, id.Valid(), id.Time())
	}
	back, err := consent.ParseID(strings.ToUpper(id.String()))
	if err != nil || back != id {
		t.Fatalf("ParseID(%s) = %s, %v", id, back, err)
	}
	for _, bad := range []string{"", "0190f4e5-2b1c-4000-8000-000000000000", "0190f4e5x2b1c-7000-8000-000000000000", "zz90f4e5-2b1c-7000-8000-000000000000"} {
		if _, err := consent.ParseID(bad); err == nil {
			t.Errorf("ParseID(%q) accepted", bad)
		}
	}
	if _, err := consent.NewID(at, bytes.NewReader(nil)); err == nil {
		t.Error("NewID with an empty random source succeeded")
	}
}

// goldenRecord is a record built without randomness, so its bytes are
// stable: the worked example of docs/consent.md.
func goldenRecord(t *testing.T) (*consent.Record, []byte, ed25519.PublicKey) {
	t.Helper()
	st := consenttest.Statement(7)
	st.Purposes = []string{"verificacion-identidad", "verificacion-datos"}
	st.Purposes = consent.SortTokens(st.Purposes)
	key := devicekey.New(ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, 32)))
	r := &consent.Record{Statement: *st, Evidence: consent.EvidenceHandwritten,
		Sealed: consent.Sealed{KEM: 0x647a, KDF: 1, AEAD: 2, Data: []byte("sealed-box-placeholder")}}
	body, err := r.Body()
	if err != nil {
		t.Fatal(err)
	}
	r.Signature, _ = key.Sign(append([]byte("ventanilla.mx consent record signature v1\x00"), body...))
	b, err := r.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	return r, b, key.Public()
}

func TestRecordGolden(t *testing.T) {
	_, b, pub := goldenRecord(t)
	path := filepath.Join("testdata", "record-v1.hex")
	got := hex.Dump(b)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Fatalf("canonical record bytes changed (a format change needs a new version):\n%s", got)
	}
	if _, err := consent.VerifyRecord(b, pub); err != nil {
		t.Fatalf("golden record does not verify: %v", err)
	}
}

func TestRecordRoundTripAndStrictness(t *testing.T) {
	r, b, _ := goldenRecord(t)
	back, err := consent.ParseRecord(b)
	if err != nil {
		t.Fatal(err)
	}
	b2, _ := back.Bytes()
	if !bytes.Equal(b, b2) || back.ID != r.ID || !back.Time.Equal(r.Time) {
		t.Fatal("round trip changed the record")
	}
	for n := range len(b) {
		if _, err := consent.ParseRecord(b[:n]); !errors.Is(err, consent.ErrMalformed) {
			t.Fatalf("prefix of %d bytes: err = %v, want ErrMalformed", n, err)
		}
	}
	if _, err := consent.ParseRecord(append(bytes.Clone(b), 0)); !errors.Is(err, consent.ErrMalformed) {
		t.Fatalf("trailing byte accepted: %v", err)
	}
}

func TestEveryByteFlipIsDetected(t *testing.T) {
	_, b, pub := goldenRecord(t)
	for i := range b {
		c := bytes.Clone(b)
		c[i] ^= 0x01
		if _, err := consent.VerifyRecord(c, pub); err == nil {
			t.Fatalf("flipping byte %d went unnoticed", i)
		}
	}
	other := devicekey.New(ed25519.NewKeyFromSeed(bytes.Repeat([]byte{8}, 32)))
	if _, err := consent.VerifyRecord(b, other.Public()); !errors.Is(err, consent.ErrSignature) {
		t.Fatalf("other key: err = %v, want ErrSignature", err)
	}
}

func TestStatementValidation(t *testing.T) {
	cases := map[string]func(*consent.Statement){
		"id not v7":            func(s *consent.Statement) { s.ID[6] = 0x40 },
		"empty kiosk":          func(s *consent.Statement) { s.KioskID = "" },
		"space in operator":    func(s *consent.Statement) { s.OperatorID = "juan perez" },
		"no purposes":          func(s *consent.Statement) { s.Purposes = nil },
		"unsorted purposes":    func(s *consent.Statement) { s.Purposes = []string{"b", "a"} },
		"duplicate requests":   func(s *consent.Statement) { s.Requests = []string{"r1", "r1"} },
		"unknown clock state":  func(s *consent.Statement) { s.Clock.State = 9 },
		"time before 1970":     func(s *consent.Statement) { s.Time = time.Date(1960, 1, 1, 0, 0, 0, 0, time.UTC) },
		"long notice version":  func(s *consent.Statement) { s.Notice.Version = strings.Repeat("v", 129) },
		"non-ascii notice id":  func(s *consent.Statement) { s.Notice.ID = "aviso-ñ" },
		"too many request ids": func(s *consent.Statement) { s.Requests = manyTokens(65) },
	}
	for name, mutate := range cases {
		st := consenttest.Statement(1)
		mutate(st)
		if _, err := st.Bytes(); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	st := consenttest.Statement(1)
	b, err := st.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	back, err := consent.ParseStatement(b)
	if err != nil || back.ID != st.ID || back.Time.Location() != time.UTC {
		t.Fatalf("ParseStatement: %v", err)
	}
}

func manyTokens(n int) []string {
	var l []string
	for i := range n {
		l = append(l, "t"+strings.Repeat("0", 3-len(itoa(i)))+itoa(i))
	}
	return l
}

func itoa(i int) string { return string(rune('0'+i/10%10)) + string(rune('0'+i%10)) }
