package kioskapi

import (
	"bytes"
	"errors"
)

// maxDepth bounds the nesting of a body (a signature is 4 deep).
const maxDepth = 8

var (
	errDuplicate = errors.New("duplicate key")
	errDepth     = errors.New("nested too deep")
	errKeyEscape = errors.New("escape in a key")
)

// frame is one open object or array during checkShape.
type frame struct {
	obj  bool
	keys [][]byte // keys seen, ASCII-lowercased (encoding/json matches fields case-insensitively)
}

// checkShape refuses what encoding/json lets through: duplicate keys in an
// object (also when they differ only in case, since encoding/json maps
// both to one field), keys with escapes, and nesting deeper than maxDepth.
// It reads keys only; values, secrets included, are skipped without a
// copy. The caller has checked json.Valid.
func checkShape(data []byte) error {
	var stack []frame
	expectKey := false
	for i := 0; i < len(data); i++ {
		switch c := data[i]; c {
		case '{', '[':
			if len(stack) == maxDepth {
				return errDepth
			}
			stack = append(stack, frame{obj: c == '{'})
			expectKey = c == '{'
		case '}', ']':
			stack = stack[:len(stack)-1]
			expectKey = false
		case ',':
			expectKey = len(stack) > 0 && stack[len(stack)-1].obj
		case '"':
			end := stringEnd(data, i)
			if expectKey {
				if err := stack[len(stack)-1].add(data[i+1 : end]); err != nil {
					return err
				}
				expectKey = false
			}
			i = end
		}
	}
	return nil
}

// stringEnd returns the index of the quote closing the string at i.
func stringEnd(data []byte, i int) int {
	for j := i + 1; j < len(data); j++ {
		switch data[j] {
		case '\\':
			j++
		case '"':
			return j
		}
	}
	return len(data) - 1
}

func (f *frame) add(key []byte) error {
	if bytes.IndexByte(key, '\\') >= 0 {
		return errKeyEscape
	}
	for _, k := range f.keys {
		if bytes.EqualFold(k, key) {
			return errDuplicate
		}
	}
	f.keys = append(f.keys, key)
	return nil
}

// redacted returns a copy of data with the contents of every string value
// replaced by 'x' and every digit by '1': the same shape and types, none
// of the values. encoding/json's Decoder (needed for unknown-field checks)
// copies its input into buffers nobody can wipe, so it only ever sees
// this copy.
func redacted(data []byte) []byte {
	out := bytes.Clone(data)
	inKey := false
	var stack []bool // true for objects
	for i := 0; i < len(out); i++ {
		switch c := out[i]; {
		case c == '{' || c == '[':
			stack = append(stack, c == '{')
			inKey = c == '{'
		case c == '}' || c == ']':
			if len(stack) > 0 { // data may be invalid here (error messages)
				stack = stack[:len(stack)-1]
			}
			inKey = false
		case c == ',':
			inKey = len(stack) > 0 && stack[len(stack)-1]
		case c == '"':
			end := stringEnd(out, i)
			if !inKey {
				for j := i + 1; j < end; j++ {
					out[j] = 'x'
				}
			}
			inKey = false
			i = end
		case c >= '0' && c <= '9':
			out[i] = '1'
		}
	}
	return out
}
