package bundle

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// FuzzEntryFastPath: whatever line the direct scan accepts, the strict
// decoder accepts too, with an equal Entry (nil and empty slices told
// apart), so the scan only saves time.
func FuzzEntryFastPath(f *testing.F) {
	h := strings.Repeat("A", 43) + "="
	for _, seed := range []string{
		`{"index":0,"record":"AA==","proof":[]}`,
		`{"index":7,"record":"","proof":["` + h + `","` + h + `"]}`,
		`{"index":12345678901234567,"record":"AAECAw==","proof":["AA=="]}`,
		`{"index":01,"record":"AA==","proof":[]}`,
		`{"index":1,"record":"A\u0041==","proof":[]}`,
		`{"index":1,"record":"AA==","proof":[] }`,
		`{"index":1,"record":"AA==","proof":null}`,
		`{"index":1,"record":"AA==","proof":[],"x":1}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		fast, ok := scanEntry(b)
		var want Entry
		err := strict(b, &want)
		if !ok {
			return
		}
		if err != nil {
			t.Fatalf("scan accepted a line the strict decoder refuses (%v): %q", err, b)
		}
		if !reflect.DeepEqual(*fast, want) {
			t.Fatalf("scan and strict decoder differ on %q:\n%+v\n%+v", b, *fast, want)
		}
	})
}

// TestWriterLinesTakeTheFastPath: the lines Writer writes are the ones the
// direct scan reads (otherwise it would save nothing).
func TestWriterLinesTakeTheFastPath(t *testing.T) {
	h := make([]byte, 32)
	for _, e := range []*Entry{
		{Index: 0, Record: []byte{1, 2, 3}, Proof: [][]byte{}},
		{Index: 1 << 40, Record: make([]byte, 2900), Proof: [][]byte{h, h, h}},
	} {
		b, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := scanEntry(b)
		if !ok || !reflect.DeepEqual(got, e) {
			t.Fatalf("Writer's line %.60q: scan ok=%v, entry equal=%v", b, ok, reflect.DeepEqual(got, e))
		}
	}
}
