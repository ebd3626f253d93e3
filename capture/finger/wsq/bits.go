package wsq

import "errors"

// byteWriter writes big-endian fields into buf. With a nil buf it only
// counts, so the encoder can run once to learn the exact size and once to
// write into memory the caller allocated.
type byteWriter struct {
	buf []byte
	n   int
}

func (w *byteWriter) u8(v byte) {
	if w.buf != nil {
		w.buf[w.n] = v
	}
	w.n++
}

func (w *byteWriter) u16(v uint16) { w.u8(byte(v >> 8)); w.u8(byte(v)) }

func (w *byteWriter) u32(v uint32) { w.u16(uint16(v >> 16)); w.u16(uint16(v)) }

func (w *byteWriter) bytes(b []byte) {
	if w.buf != nil {
		copy(w.buf[w.n:], b)
	}
	w.n += len(b)
}

// bitWriter packs entropy-coded bits most significant first. A 0xFF byte is
// followed by a stuffed 0x00 so that it cannot be taken for a marker, and the
// last byte of a block is padded with 1 bits (as in JPEG).
type bitWriter struct {
	w     *byteWriter
	acc   uint32 // pending bits, right-aligned
	nbits int
}

func (b *bitWriter) put(v uint32, n int) {
	for n > 0 {
		take := min(n, 8)
		n -= take
		b.acc = b.acc<<take | (v>>n)&(1<<take-1)
		b.nbits += take
		for b.nbits >= 8 {
			b.nbits -= 8
			b.emit(byte(b.acc >> b.nbits))
		}
		b.acc &= 1<<b.nbits - 1
	}
}

func (b *bitWriter) emit(c byte) {
	b.w.u8(c)
	if c == 0xFF {
		b.w.u8(0)
	}
}

// flush pads the final partial byte with ones.
func (b *bitWriter) flush() {
	if b.nbits > 0 {
		pad := 8 - b.nbits
		b.put(1<<pad-1, pad)
	}
}

// errMarker reports that the entropy-coded data ended at a marker.
var errMarker = errors.New("wsq: marker in entropy-coded data")

// bitReader reads entropy-coded bits from data, undoing byte stuffing. It
// stops at the first 0xFF that is followed by anything but 0x00, leaving pos
// on that marker.
type bitReader struct {
	data  []byte
	pos   int
	cur   byte
	nbits int
}

func (r *bitReader) bit() (uint32, error) {
	if r.nbits == 0 {
		if err := r.fill(); err != nil {
			return 0, err
		}
	}
	r.nbits--
	return uint32(r.cur>>r.nbits) & 1, nil
}

func (r *bitReader) fill() error {
	if r.pos >= len(r.data) {
		return errTruncated
	}
	c := r.data[r.pos]
	if c == 0xFF {
		if r.pos+1 >= len(r.data) {
			return errTruncated
		}
		if r.data[r.pos+1] != 0 {
			return errMarker
		}
		r.pos++
	}
	r.pos++
	r.cur, r.nbits = c, 8
	return nil
}

func (r *bitReader) bits(n int) (uint32, error) {
	var v uint32
	for range n {
		b, err := r.bit()
		if err != nil {
			return 0, err
		}
		v = v<<1 | b
	}
	return v, nil
}
