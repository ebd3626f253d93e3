package bundle

import (
	"bytes"
	"encoding/base64"
	"strconv"
)

// decodeEntry decodes one record line. The lines Writer writes (the
// encoding/json form of Entry: these keys in this order, no spaces, no
// escapes, standard base64 with padding) are read by a direct scan that
// decodes the base64 in place of encoding/json's two passes and its
// per-line Decoder; any other line goes through the strict decoder, which
// decides whether it is well formed. The direct scan accepts only lines
// the strict decoder accepts, with the same result (FuzzEntryFastPath).
func decodeEntry(b []byte) (*Entry, error) {
	if e, ok := scanEntry(b); ok {
		return e, nil
	}
	var e Entry
	if err := strict(b, &e); err != nil {
		return nil, err
	}
	return &e, nil
}

// scanEntry is the direct scan; ok false means "not in Writer's form",
// not "malformed".
func scanEntry(b []byte) (*Entry, bool) {
	s := entryScan{b: b}
	e := &Entry{}
	if !s.lit(`{"index":`) || !s.index(&e.Index) || !s.lit(`,"record":`) {
		return nil, false
	}
	if !s.record(e) || !s.lit(`,"proof":[`) {
		return nil, false
	}
	if !s.proof(e) || !s.lit(`]}`) || s.off != len(b) {
		return nil, false
	}
	return e, true
}

type entryScan struct {
	b   []byte
	off int
}

func (s *entryScan) lit(l string) bool {
	if !bytes.HasPrefix(s.b[s.off:], []byte(l)) {
		return false
	}
	s.off += len(l)
	return true
}

// index reads a non-negative JSON integer of at most 18 digits (no
// overflow; larger or negative indexes take the strict path).
func (s *entryScan) index(v *int64) bool {
	start := s.off
	for s.off < len(s.b) && s.b[s.off] >= '0' && s.b[s.off] <= '9' {
		s.off++
	}
	n := s.off - start
	if n == 0 || n > 18 || (n > 1 && s.b[start] == '0') {
		return false
	}
	x, err := strconv.ParseInt(string(s.b[start:s.off]), 10, 64)
	*v = x
	return err == nil
}

// str reads a JSON string with no escapes and returns its bytes.
func (s *entryScan) str() ([]byte, bool) {
	if !s.lit(`"`) {
		return nil, false
	}
	end := bytes.IndexByte(s.b[s.off:], '"')
	if end < 0 {
		return nil, false
	}
	src := s.b[s.off : s.off+end]
	s.off += end + 1
	return src, true
}

// base64Into decodes a string of standard base64 into dst, which must
// have room for it. A backslash (an escape) is not base64 and fails the
// decoding; line breaks, which base64.StdEncoding skips but a JSON string
// cannot hold unescaped, are refused here.
func base64Into(dst, src []byte) ([]byte, bool) {
	if base64.StdEncoding.DecodedLen(len(src)) > len(dst) || bytes.IndexByte(src, '\r') >= 0 || bytes.IndexByte(src, '\n') >= 0 {
		return nil, false
	}
	n, err := base64.StdEncoding.Decode(dst, src)
	if err != nil {
		return nil, false
	}
	return dst[:n:n], true
}

// record reads the record's base64 into a slice of its own.
func (s *entryScan) record(e *Entry) bool {
	src, ok := s.str()
	if !ok {
		return false
	}
	e.Record, ok = base64Into(make([]byte, base64.StdEncoding.DecodedLen(len(src))), src)
	return ok
}

// proof reads the proof's hashes (possibly none) into one backing array,
// each hash capped so that appending to one cannot touch the next.
func (s *entryScan) proof(e *Entry) bool {
	e.Proof = [][]byte{}
	if s.off < len(s.b) && s.b[s.off] == ']' {
		return true
	}
	n := 1 + bytes.Count(s.b[s.off:], []byte(`","`))
	if n > maxProof {
		return false
	}
	store := make([]byte, n*base64.StdEncoding.DecodedLen(44))
	e.Proof = make([][]byte, 0, n)
	for {
		src, ok := s.str()
		if !ok {
			return false
		}
		h, ok := base64Into(store, src)
		if !ok {
			return false
		}
		store = store[len(h):]
		e.Proof = append(e.Proof, h)
		if !s.lit(`,`) {
			return true
		}
	}
}
