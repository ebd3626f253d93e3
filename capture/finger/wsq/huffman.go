package wsq

import "errors"

// Huffman tables are JPEG-style (specification Part 1, Annex B, after ISO/IEC
// 10918-1 Annex K): a table is sent as the number of codes of each length
// 1..16 and the symbols in code order; codes are assigned canonically. The
// encoder builds optimal code lengths from symbol counts, with one reserved
// extra symbol so that no real code is all ones, and limits them to 16 bits.

const (
	maxCodeLen = 16
	numSymbols = 256
)

// huffSpec is the content of one table in a DHT segment.
type huffSpec struct {
	counts [maxCodeLen]uint8 // counts[l-1] = number of codes of length l
	values []uint8           // symbols in code order
}

// buildHuffSpec computes a length-limited optimal table for the symbol
// frequencies (JPEG Annex K.2 and K.3). Symbols with zero count get no code.
func buildHuffSpec(freq *[numSymbols]int) huffSpec {
	const reserved = numSymbols // a dummy symbol with count 1
	var f [numSymbols + 1]int64
	for i, c := range freq {
		f[i] = int64(c)
	}
	f[reserved] = 1
	var size [numSymbols + 1]int
	var next [numSymbols + 1]int // chain of symbols merged into one tree
	for i := range next {
		next[i] = -1
	}
	for {
		a, b := twoRarest(&f)
		if b < 0 {
			break
		}
		f[a] += f[b]
		f[b] = 0
		for s := a; ; s = next[s] {
			size[s]++
			if next[s] < 0 {
				next[s] = b
				break
			}
		}
		for s := b; s >= 0; s = next[s] {
			size[s]++
		}
	}
	return specFromSizes(&size)
}

// twoRarest returns the two symbols with the smallest non-zero counts,
// preferring the higher symbol on ties (so the reserved symbol goes first);
// b is -1 when fewer than two remain.
func twoRarest(f *[numSymbols + 1]int64) (a, b int) {
	a, b = -1, -1
	for i := len(f) - 1; i >= 0; i-- {
		switch c := f[i]; {
		case c == 0:
		case a < 0 || c < f[a]:
			a, b = i, a
		case b < 0 || c < f[b]:
			b = i
		}
	}
	return a, b
}

// specFromSizes turns unlimited code sizes (including the reserved symbol)
// into a table with lengths of at most 16 bits.
func specFromSizes(size *[numSymbols + 1]int) huffSpec {
	var bits [2*maxCodeLen + 1]int
	for _, s := range size {
		if s > 0 {
			bits[min(s, 2*maxCodeLen)]++
		}
	}
	for i := 2 * maxCodeLen; i > maxCodeLen; i-- {
		for bits[i] > 0 {
			j := i - 2
			for bits[j] == 0 {
				j--
			}
			bits[i] -= 2
			bits[i-1]++
			bits[j+1] += 2
			bits[j]--
		}
	}
	var spec huffSpec
	longest := maxCodeLen
	for longest > 0 && bits[longest] == 0 {
		longest--
	}
	if longest == 0 {
		return spec // no symbols at all
	}
	bits[longest]-- // drop the reserved symbol's code
	for l := 1; l <= maxCodeLen; l++ {
		spec.counts[l-1] = uint8(bits[l])
	}
	for l := 1; l <= 2*maxCodeLen; l++ {
		for sym := range numSymbols {
			if size[sym] == l {
				spec.values = append(spec.values, uint8(sym))
			}
		}
	}
	return spec
}

// huffCode is the code of every symbol; size 0 means no code.
type huffCode struct {
	code [numSymbols]uint16
	size [numSymbols]uint8
}

var errBadTable = errors.New("wsq: invalid Huffman table; the file is damaged or not WSQ")

// codes assigns canonical codes.
func (s *huffSpec) codes() (*huffCode, error) {
	c := &huffCode{}
	code, k := 0, 0
	for l := 1; l <= maxCodeLen; l++ {
		for range int(s.counts[l-1]) {
			if k >= len(s.values) {
				return nil, errBadTable
			}
			c.code[s.values[k]] = uint16(code)
			c.size[s.values[k]] = uint8(l)
			code++
			k++
		}
		if code > 1<<l {
			return nil, errBadTable
		}
		code <<= 1
	}
	return c, nil
}

// huffDecoder decodes canonical codes bit by bit (JPEG Annex F.2.2.3).
type huffDecoder struct {
	maxcode [maxCodeLen + 1]int32 // -1 when no code has this length
	mincode [maxCodeLen + 1]int32
	valptr  [maxCodeLen + 1]int32
	values  []uint8
}

func newHuffDecoder(s *huffSpec) (*huffDecoder, error) {
	if _, err := s.codes(); err != nil {
		return nil, err
	}
	d := &huffDecoder{values: s.values}
	code, k := int32(0), int32(0)
	for l := 1; l <= maxCodeLen; l++ {
		n := int32(s.counts[l-1])
		d.maxcode[l] = -1
		if n > 0 {
			d.valptr[l] = k
			d.mincode[l] = code
			d.maxcode[l] = code + n - 1
		}
		code = (code + n) << 1
		k += n
	}
	return d, nil
}

var errBadCode = errors.New("wsq: invalid Huffman code in image data; the file is damaged")

// decode reads one symbol. It returns errMarker when the block ended.
func (d *huffDecoder) decode(r *bitReader) (int, error) {
	var code int32
	for l := 1; l <= maxCodeLen; l++ {
		b, err := r.bit()
		if err != nil {
			return 0, err
		}
		code = code<<1 | int32(b)
		if code <= d.maxcode[l] {
			return int(d.values[d.valptr[l]+code-d.mincode[l]]), nil
		}
	}
	return 0, errBadCode
}
