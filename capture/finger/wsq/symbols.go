package wsq

import "errors"

// Quantiser indices are coded as Huffman symbols (specification Part 1,
// Table B.x; NBIS encoder.c uses the same categories):
//
//	1..100   a run of that many zero indices
//	101/102  a positive/negative index follows in 8 bits
//	103/104  a positive/negative index follows in 16 bits
//	105/106  a zero run follows in 8/16 bits
//	107..254 the index value-180, for indices -73..74
const (
	maxRunSymbol = 100
	symPos8      = 101
	symNeg8      = 102
	symPos16     = 103
	symNeg16     = 104
	symRun8      = 105
	symRun16     = 106
	symValueBias = 180
	maxInline    = 74
	minInline    = -73
	maxRun       = 0xFFFF
)

// symbolSink receives a symbol and, for escapes, the extra bits.
type symbolSink interface {
	symbol(sym int, extra uint32, nextra int)
}

// emitSymbols turns a block of indices into symbols.
func emitSymbols(idx []int32, s symbolSink) {
	run := 0
	for _, p := range idx {
		if p == 0 {
			run++
			if run == maxRun {
				emitRun(run, s)
				run = 0
			}
			continue
		}
		if run > 0 {
			emitRun(run, s)
			run = 0
		}
		emitIndex(p, s)
	}
	if run > 0 {
		emitRun(run, s)
	}
}

func emitRun(n int, s symbolSink) {
	switch {
	case n <= maxRunSymbol:
		s.symbol(n, 0, 0)
	case n <= 0xFF:
		s.symbol(symRun8, uint32(n), 8)
	default:
		s.symbol(symRun16, uint32(n), 16)
	}
}

func emitIndex(p int32, s symbolSink) {
	switch {
	case p > 0xFF:
		s.symbol(symPos16, uint32(p), 16)
	case p > maxInline:
		s.symbol(symPos8, uint32(p), 8)
	case p < -0xFF:
		s.symbol(symNeg16, uint32(-p), 16)
	case p < minInline:
		s.symbol(symNeg8, uint32(-p), 8)
	default:
		s.symbol(int(p)+symValueBias, 0, 0)
	}
}

// symbolCounter counts symbols for building a Huffman table.
type symbolCounter struct{ freq [numSymbols]int }

func (c *symbolCounter) symbol(sym int, _ uint32, _ int) { c.freq[sym]++ }

// symbolCoder writes symbols with a Huffman code.
type symbolCoder struct {
	code *huffCode
	bits *bitWriter
}

func (c *symbolCoder) symbol(sym int, extra uint32, nextra int) {
	c.bits.put(uint32(c.code.code[sym]), int(c.code.size[sym]))
	if nextra > 0 {
		c.bits.put(extra, nextra)
	}
}

var (
	errBadSymbol = errors.New("wsq: invalid symbol in image data; the file is damaged")
	errOverflow  = errors.New("wsq: image data holds more coefficients than the frame declares; the file is damaged")
	errTruncated = errors.New("wsq: data ends early; the file is truncated")
)

// decodeBlock decodes symbols into idx[pos:] until the block ends at a marker
// and returns the new position. The reader is left on that marker.
func decodeBlock(r *bitReader, d *huffDecoder, idx []int32, pos int) (int, error) {
	for {
		sym, err := d.decode(r)
		if err == errMarker {
			return pos, nil
		}
		if err != nil {
			return pos, err
		}
		if pos, err = decodeSymbol(r, sym, idx, pos); err != nil {
			return pos, err
		}
	}
}

func decodeSymbol(r *bitReader, sym int, idx []int32, pos int) (int, error) {
	switch {
	case sym >= 1 && sym <= maxRunSymbol:
		return zeroRun(idx, pos, sym)
	case sym > symRun16 && sym < 0xFF:
		return put(idx, pos, int32(sym-symValueBias))
	case sym < symPos8 || sym > symRun16:
		return pos, errBadSymbol
	}
	nextra := 8
	if sym == symPos16 || sym == symNeg16 || sym == symRun16 {
		nextra = 16
	}
	v, err := r.bits(nextra)
	if err == errMarker {
		return pos, errTruncated
	}
	if err != nil {
		return pos, err
	}
	switch sym {
	case symPos8, symPos16:
		return put(idx, pos, int32(v))
	case symNeg8, symNeg16:
		return put(idx, pos, -int32(v))
	default: // symRun8, symRun16
		return zeroRun(idx, pos, int(v))
	}
}

func put(idx []int32, pos int, v int32) (int, error) {
	if pos >= len(idx) {
		return pos, errOverflow
	}
	idx[pos] = v
	return pos + 1, nil
}

func zeroRun(idx []int32, pos, n int) (int, error) {
	if n > len(idx)-pos {
		return pos, errOverflow
	}
	clear(idx[pos : pos+n])
	return pos + n, nil
}
