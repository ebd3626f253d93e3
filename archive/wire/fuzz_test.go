package wire_test

import (
	"bytes"
	"testing"

	"github.com/ventanilla-mx/ventanilla/archive/wire"
)

// FuzzDecodePush: the push decoder never panics, and what it accepts
// re-encodes and decodes to the same push.
func FuzzDecodePush(f *testing.F) {
	b, _ := wire.EncodePush(&wire.Push{KioskID: "k", Entries: []wire.Entry{{Index: 1, Record: []byte{1, 2}}}, Checkpoint: []byte("c\n")})
	f.Add(b)
	f.Fuzz(func(t *testing.T, raw []byte) {
		p, err := wire.DecodePush(bytes.NewReader(raw))
		if err != nil {
			return
		}
		again, err := wire.EncodePush(p)
		if err != nil {
			t.Fatal(err)
		}
		q, err := wire.DecodePush(bytes.NewReader(again))
		if err != nil || q.KioskID != p.KioskID || len(q.Entries) != len(p.Entries) {
			t.Fatalf("re-encoded push differs: %v", err)
		}
	})
}
