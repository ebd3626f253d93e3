package kioskapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
)

// refDuplicate is a slow reference: does any object in data (valid JSON)
// repeat a key, compared case-insensitively as encoding/json matches?
func refDuplicate(data []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(data))
	type level struct {
		obj   bool
		keys  map[string]bool
		isKey bool
	}
	var stack []*level
	for {
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		top := (*level)(nil)
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		switch v := tok.(type) {
		case json.Delim:
			switch v {
			case '{', '[':
				if top != nil && top.obj {
					top.isKey = true
				}
				stack = append(stack, &level{obj: v == '{', keys: map[string]bool{}, isKey: v == '{'})
			default:
				stack = stack[:len(stack)-1]
			}
			continue
		case string:
			if top != nil && top.obj && top.isKey {
				k := strings.ToLower(v)
				if top.keys[k] {
					return true
				}
				top.keys[k] = true
				top.isKey = false
				continue
			}
		}
		if top != nil && top.obj {
			top.isKey = true
		}
	}
}

// FuzzDecodeStrict: whatever decodeStrict accepts is exactly one valid
// JSON value with no duplicate key and, for a signature, points of four
// elements; what the redaction produces is valid JSON of the same shape.
func FuzzDecodeStrict(f *testing.F) {
	for _, s := range []string{sigJSON, credJSON, noticeJSON(), `{"operator":"op-001","pin":"246810"}`,
		`{"operator":"a","pin":"1","pin":"2"}`, `{"a":{"b":1,"B":2}}`, `{"strokes":[[[1,2,3,4,5]]]}`,
		`{"width":1}{}`, `{"fields":{"c\u0069c":"1"}}`, `[[[[[[[[[[1]]]]]]]]]]`, `{"x":"\"pin\":"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if json.Valid(data) {
			r := redacted(data)
			if !json.Valid(r) || len(r) != len(data) {
				t.Fatalf("redaction broke the JSON: %q -> %q", data, r)
			}
			if checkShape(data) == nil && refDuplicate(data) {
				t.Fatalf("duplicate key passed checkShape: %q", data)
			}
		}
		var sb signatureBody
		var lb loginBody
		var cb credentialBody
		for _, v := range []any{&sb, &lb, &cb, &noticeBody{}, &fingerBody{}, &abortBody{}} {
			if decodeStrict(data, v) != nil {
				continue
			}
			if !json.Valid(data) || refDuplicate(data) {
				t.Fatalf("accepted %q into %T", data, v)
			}
			dec := json.NewDecoder(bytes.NewReader(data))
			var x any
			if dec.Decode(&x) != nil {
				t.Fatalf("accepted %q", data)
			}
			if _, err := dec.Token(); !errors.Is(err, io.EOF) {
				t.Fatalf("accepted trailing data: %q", data)
			}
		}
		sb.wipe()
		clear(lb.PIN)
		cb.wipe()
	})
}
