package bundle_test

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/ventanilla-mx/ventanilla/consent/bundle"
)

// FuzzReader feeds arbitrary bytes to the bundle parser and verifier: they
// must never panic, and a bundle that verifies must parse cleanly. Most
// seeds are a few lines that pass the format, version and strict-JSON
// checks, so mutations reach the entry, range and signature code and new
// inputs minimize quickly; one real signed bundle reaches the proofs.
func FuzzReader(f *testing.F) {
	m := newLog(f, 2)
	f.Add(m.export([]int64{1}, 1))
	const v2 = `{"format":"ventanilla.mx/consent-bundle","version":2,"origin":"ventanilla.mx/consent/k1","public_key":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=","checkpoint":"ventanilla.mx/consent/k1\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n","created":"2025-03-14T16:00:00Z","selection":"s"`
	for _, seed := range []string{
		v2 + "}\n" + `{"end":{"records":0}}` + "\n",
		v2 + `,"ids":["x"],"signature":"AA=="}` + "\n" + `{"index":0,"record":"AA==","proof":[]}` + "\n" + `{"end":{"records":1}}` + "\n",
		v2 + `,"period":{"since":"2025-03-14T16:00:00Z","until":"2025-03-15T16:00:00Z"},"range":{"first":0,"last":0}}` + "\n" +
			`{"index":0,"record":"AA==","proof":["AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="]}` + "\n" + `{"end":{"records":1}}` + "\n",
		`{"format":"ventanilla.mx/consent-bundle","version":1,"range":{"first":0,"last":1}}` + "\n" + `{"end":{"records":0}}` + "\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if r, err := bundle.NewReader(bytes.NewReader(b)); err == nil {
			for range 1000 {
				if _, err := r.Next(); err != nil && !errors.As(err, new(*bundle.EntryError)) {
					break
				}
			}
		}
		rep := bundle.Verify(bytes.NewReader(b), nil)
		if rep.OK() {
			r, err := bundle.NewReader(bytes.NewReader(b))
			if err != nil {
				t.Fatalf("verified but header does not parse: %v", err)
			}
			for {
				_, err := r.Next()
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					t.Fatalf("verified but does not parse: %v", err)
				}
			}
		}
	})
}
