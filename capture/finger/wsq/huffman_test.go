package wsq

import (
	"math/rand/v2"
	"testing"
)

// checkPrefixFree verifies that the codes of a table form a prefix code with
// no all-ones code (the padding of a block must never decode as a symbol).
func checkPrefixFree(t *testing.T, c *huffCode) {
	t.Helper()
	type cw struct {
		code uint16
		size uint8
	}
	var all []cw
	for s := range numSymbols {
		if c.size[s] == 0 {
			continue
		}
		if c.size[s] > maxCodeLen {
			t.Fatalf("symbol %d has a %d-bit code", s, c.size[s])
		}
		if c.code[s] == 1<<c.size[s]-1 {
			t.Fatalf("symbol %d has the all-ones code of length %d", s, c.size[s])
		}
		all = append(all, cw{c.code[s], c.size[s]})
	}
	for i, a := range all {
		for j, b := range all {
			if i != j && a.size <= b.size && b.code>>(b.size-a.size) == a.code {
				t.Fatalf("code %0*b is a prefix of %0*b", a.size, a.code, b.size, b.code)
			}
		}
	}
}

func TestHuffmanLimitsLength(t *testing.T) {
	var freq [numSymbols]int
	a, b := 1, 1
	for s := 1; s <= 40; s++ { // Fibonacci counts force a 40-deep tree
		freq[s] = a
		a, b = b, a+b
	}
	spec := buildHuffSpec(&freq)
	c, err := spec.codes()
	if err != nil {
		t.Fatal(err)
	}
	checkPrefixFree(t, c)
	for s := 1; s <= 40; s++ {
		if c.size[s] == 0 {
			t.Fatalf("symbol %d lost its code", s)
		}
	}
}

func TestHuffmanSingleAndNoSymbol(t *testing.T) {
	var freq [numSymbols]int
	spec := buildHuffSpec(&freq)
	if len(spec.values) != 0 {
		t.Errorf("empty block produced %d codes", len(spec.values))
	}
	freq[7] = 100
	spec = buildHuffSpec(&freq)
	c, err := spec.codes()
	if err != nil || c.size[7] != 1 || c.code[7] != 0 {
		t.Errorf("single symbol: size %d code %b err %v, want the 1-bit code 0", c.size[7], c.code[7], err)
	}
}

// TestSymbolsRoundTrip codes random index blocks, with long runs and large
// values, and decodes them back.
func TestSymbolsRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	idx := make([]int32, 0, 200000)
	for len(idx) < 150000 {
		switch rng.IntN(6) {
		case 0:
			n := rng.IntN(70000)
			for range n {
				idx = append(idx, 0)
			}
		case 1:
			idx = append(idx, int32(rng.IntN(2*maxIndex+1)-maxIndex))
		default:
			idx = append(idx, int32(rng.IntN(21)-10))
		}
	}
	var cnt symbolCounter
	emitSymbols(idx, &cnt)
	spec := buildHuffSpec(&cnt.freq)
	code, err := spec.codes()
	if err != nil {
		t.Fatal(err)
	}
	checkPrefixFree(t, code)
	w := &byteWriter{}
	bw := &bitWriter{w: w}
	emitSymbols(idx, &symbolCoder{code: code, bits: bw})
	bw.flush()
	size := w.n
	w = &byteWriter{buf: make([]byte, size)}
	bw = &bitWriter{w: w}
	emitSymbols(idx, &symbolCoder{code: code, bits: bw})
	bw.flush()
	data := append(w.buf, 0xFF, 0xA1) // a marker ends the block
	dec, err := newHuffDecoder(&spec)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]int32, len(idx))
	r := &bitReader{data: data}
	n, err := decodeBlock(r, dec, out, 0)
	if err != nil || n != len(idx) {
		t.Fatalf("decoded %d of %d indices, err %v", n, len(idx), err)
	}
	for i := range idx {
		if out[i] != idx[i] {
			t.Fatalf("index %d = %d, want %d", i, out[i], idx[i])
		}
	}
	if r.pos != size {
		t.Errorf("reader stopped at %d, want the marker at %d", r.pos, size)
	}
}

func TestBitStuffing(t *testing.T) {
	w := &byteWriter{buf: make([]byte, 16)}
	bw := &bitWriter{w: w}
	bw.put(0xFF, 8)
	bw.put(0x3, 2)
	bw.flush()
	want := []byte{0xFF, 0x00, 0xFF, 0x00} // 11 + six 1s of padding = 0xFF
	if got := w.buf[:w.n]; string(got) != string(want) {
		t.Fatalf("stuffed bytes % X, want % X", got, want)
	}
	r := &bitReader{data: append(w.buf[:w.n:w.n], 0xFF, 0xA3)}
	if v, err := r.bits(10); err != nil || v != 0x3FF {
		t.Fatalf("read %X, %v", v, err)
	}
	if _, err := r.bits(6); err != nil {
		t.Fatal(err)
	}
	if _, err := r.bit(); err != errMarker {
		t.Fatalf("err = %v, want errMarker at the SOB marker", err)
	}
}

func TestRejectsOverfullTable(t *testing.T) {
	s := huffSpec{values: []uint8{1, 2, 3}}
	s.counts[0] = 3 // three 1-bit codes cannot exist
	if _, err := newHuffDecoder(&s); err == nil {
		t.Error("overfull table accepted")
	}
}
