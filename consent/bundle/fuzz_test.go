package bundle_test

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/ventanilla-mx/ventanilla/consent/bundle"
)

// FuzzReader feeds arbitrary bytes to the bundle parser and verifier: they
// must never panic, and a bundle that verifies must parse cleanly.
func FuzzReader(f *testing.F) {
	m := newLog(f, 3)
	f.Add(m.export([]int64{0, 2}, 1))
	f.Add(m.export([]int64{1}, 0))
	f.Add([]byte(`{"format":"ventanilla.mx/consent-bundle","version":1}` + "\n" + `{"end":{"records":0}}` + "\n"))
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
