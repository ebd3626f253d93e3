package uplink

import (
	"bytes"
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ventanilla-mx/ventanilla/credential"
	"github.com/ventanilla-mx/ventanilla/secmem"
	"golang.org/x/mod/sumdb/tlog"
)

// TestMetaMemberOrderMatchesDoc: the example under "### meta JSON" in
// docs/protocol.md lists the members in the order the kiosk writes them
// (top level and every nested object).
func TestMetaMemberOrderMatchesDoc(t *testing.T) {
	doc, err := os.ReadFile("../docs/protocol.md")
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(doc), "### meta JSON\n\n```json\n")
	example, _, ok2 := strings.Cut(after, "```")
	if !ok || !ok2 {
		t.Fatal("docs/protocol.md: no json block under ### meta JSON")
	}
	record := []byte("consent record")
	req := &Request{
		ID:         "r_7k3m9q2x4v8b6n1p",
		Consent:    ConsentProof{Record: record, RecordHash: tlog.RecordHash(record), Checkpoint: []byte("x\n1\nAA==\n"), Proof: []tlog.Hash{{2}}},
		Credential: credential.Credential{Model: credential.ModelE, CIC: "123456789", IdentificadorCiudadano: "123456789"}.Secret(),
		Biometrics: []Biometric{
			{Kind: KindFace, Format: FormatJPEG, Data: []byte("face")},
			{Kind: KindFinger, Position: 2, Format: FormatWSQ, Data: []byte("finger")},
		},
		Liveness: &Liveness{Decision: LivenessLive, Method: "static+challenge", Cues: map[string]float64{"blink": 0.9, "texture": 0.8}},
	}
	s := &Sealer{KioskID: "k1", Now: time.Now, Alloc: secmem.NewAllocator(&secmem.Opts{})}
	buf, _, err := s.meta(req)
	if err != nil {
		t.Fatal(err)
	}
	defer buf.Release()
	want, got := memberPaths(t, []byte(example)), memberPaths(t, buf.Bytes())
	if !slices.Equal(got, want) {
		t.Errorf("member order\nwritten: %v\ndoc:     %v", got, want)
	}
}

// memberPaths lists every object member of a JSON text in the order met,
// each as its dotted path; members of array elements share the array's
// path and are listed once.
func memberPaths(t *testing.T, text []byte) []string {
	t.Helper()
	var out []string
	seen := map[string]bool{}
	var walk func(dec *json.Decoder, path string) error
	walk = func(dec *json.Decoder, path string) error {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		switch tok {
		case json.Delim('{'):
			for dec.More() {
				k, err := dec.Token()
				if err != nil {
					return err
				}
				p := path + "." + k.(string)
				if !seen[p] {
					seen[p] = true
					out = append(out, p)
				}
				if err := walk(dec, p); err != nil {
					return err
				}
			}
		case json.Delim('['):
			for dec.More() {
				if err := walk(dec, path); err != nil {
					return err
				}
			}
		default:
			return nil
		}
		_, err = dec.Token() // the closing delimiter
		return err
	}
	if err := walk(json.NewDecoder(bytes.NewReader(text)), ""); err != nil {
		t.Fatalf("%v in %q", err, text)
	}
	return out
}
