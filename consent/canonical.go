package consent

import (
	"encoding/binary"
	"errors"
	"fmt"
	"unicode/utf8"
)

// ErrMalformed is wrapped by every decoding error. Retrying does not help: the
// bytes are not a canonical encoding.
var ErrMalformed = errors.New("consent: malformed encoding")

// encoder appends fixed-width big-endian fields. It never fails on its own;
// callers validate lengths first.
type encoder struct{ b []byte }

func (e *encoder) raw(p []byte)   { e.b = append(e.b, p...) }
func (e *encoder) u8(v uint8)     { e.b = append(e.b, v) }
func (e *encoder) u16(v uint16)   { e.b = binary.BigEndian.AppendUint16(e.b, v) }
func (e *encoder) u32(v uint32)   { e.b = binary.BigEndian.AppendUint32(e.b, v) }
func (e *encoder) i64(v int64)    { e.b = binary.BigEndian.AppendUint64(e.b, uint64(v)) }
func (e *encoder) str16(s string) { e.u16(uint16(len(s))); e.b = append(e.b, s...) }
func (e *encoder) blob32(p []byte) {
	e.u32(uint32(len(p)))
	e.b = append(e.b, p...)
}

// decoder reads what encoder writes. The first error sticks; later reads
// return zero values, so callers check err once at the end.
type decoder struct {
	b   []byte
	off int
	err error
}

func (d *decoder) fail(format string, args ...any) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: at byte %d: %s", ErrMalformed, d.off, fmt.Sprintf(format, args...))
	}
}

func (d *decoder) take(n int, what string) []byte {
	if d.err != nil {
		return nil
	}
	if n < 0 || len(d.b)-d.off < n {
		d.fail("%s: need %d bytes, have %d", what, n, len(d.b)-d.off)
		return nil
	}
	p := d.b[d.off : d.off+n]
	d.off += n
	return p
}

func (d *decoder) u8(what string) uint8 {
	if p := d.take(1, what); p != nil {
		return p[0]
	}
	return 0
}

func (d *decoder) u16(what string) uint16 {
	if p := d.take(2, what); p != nil {
		return binary.BigEndian.Uint16(p)
	}
	return 0
}

func (d *decoder) u32(what string) uint32 {
	if p := d.take(4, what); p != nil {
		return binary.BigEndian.Uint32(p)
	}
	return 0
}

func (d *decoder) i64(what string) int64 {
	if p := d.take(8, what); p != nil {
		return int64(binary.BigEndian.Uint64(p))
	}
	return 0
}

// str16 reads a u16-length-prefixed UTF-8 string of at most max bytes.
func (d *decoder) str16(what string, max int) string {
	n := int(d.u16(what + " length"))
	if d.err == nil && n > max {
		d.fail("%s: %d bytes, limit %d", what, n, max)
		return ""
	}
	p := d.take(n, what)
	if d.err == nil && !utf8.Valid(p) {
		d.fail("%s: not UTF-8", what)
	}
	return string(p)
}

// blob32 reads a u32-length-prefixed byte string of at most max bytes. The
// result is a copy.
func (d *decoder) blob32(what string, max int) []byte {
	n := d.u32(what + " length")
	if d.err == nil && int64(n) > int64(max) {
		d.fail("%s: %d bytes, limit %d", what, n, max)
		return nil
	}
	return append([]byte(nil), d.take(int(n), what)...)
}

func (d *decoder) magic(m string) {
	if p := d.take(len(m), "magic"); p != nil && string(p) != m {
		d.fail("magic: not %q", m)
	}
}

// end fails unless every byte was consumed.
func (d *decoder) end() error {
	if d.err == nil && d.off != len(d.b) {
		d.fail("%d trailing bytes", len(d.b)-d.off)
	}
	return d.err
}

// boolean reads a presence byte, which must be 0 or 1.
func (d *decoder) boolean(what string) bool {
	v := d.u8(what)
	if v > 1 {
		d.fail("%s: presence byte %d, want 0 or 1", what, v)
	}
	return v == 1
}
