package consent

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"time"
)

// ID identifies a consent record: a UUIDv7 (RFC 9562), so identifiers sort by
// creation time and carry no personal data. IDs may be logged.
type ID [16]byte

// NewID returns a UUIDv7 for time now with random bits from rand
// (crypto/rand.Reader in production).
func NewID(now time.Time, rand io.Reader) (ID, error) {
	var id ID
	if _, err := io.ReadFull(rand, id[6:]); err != nil {
		return ID{}, fmt.Errorf("consent: new id: read random: %w", err)
	}
	ms := uint64(now.UnixMilli())
	var ts [8]byte
	binary.BigEndian.PutUint64(ts[:], ms)
	copy(id[:6], ts[2:])
	id[6] = 0x70 | id[6]&0x0f // version 7
	id[8] = 0x80 | id[8]&0x3f // variant 10
	return id, nil
}

// Valid reports whether id is a UUIDv7 with the RFC 9562 variant.
func (id ID) Valid() bool { return id[6]>>4 == 7 && id[8]>>6 == 2 }

// Time returns the millisecond timestamp embedded in id.
func (id ID) Time() time.Time {
	var ts [8]byte
	copy(ts[2:], id[:6])
	return time.UnixMilli(int64(binary.BigEndian.Uint64(ts[:]))).UTC()
}

// String returns the canonical lower-case 8-4-4-4-12 form.
func (id ID) String() string {
	var b [36]byte
	hex.Encode(b[0:8], id[0:4])
	b[8] = '-'
	hex.Encode(b[9:13], id[4:6])
	b[13] = '-'
	hex.Encode(b[14:18], id[6:8])
	b[18] = '-'
	hex.Encode(b[19:23], id[8:10])
	b[23] = '-'
	hex.Encode(b[24:], id[10:])
	return string(b[:])
}

// ParseID parses the canonical 8-4-4-4-12 form (either case) of a UUIDv7.
func ParseID(s string) (ID, error) {
	var id ID
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return ID{}, fmt.Errorf("consent: parse id %q: want 8-4-4-4-12 hex", s)
	}
	hexs := s[0:8] + s[9:13] + s[14:18] + s[19:23] + s[24:]
	if _, err := hex.Decode(id[:], []byte(hexs)); err != nil {
		return ID{}, fmt.Errorf("consent: parse id %q: %v", s, err)
	}
	if !id.Valid() {
		return ID{}, fmt.Errorf("consent: parse id %q: not a UUIDv7", s)
	}
	return id, nil
}
