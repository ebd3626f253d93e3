package wsq

import (
	"fmt"
	"math"
)

// Markers (specification Part 1, Table A.x; NBIS wsq.h).
const (
	markerSOI = 0xFFA0 // start of image
	markerEOI = 0xFFA1 // end of image
	markerSOF = 0xFFA2 // start of frame
	markerSOB = 0xFFA3 // start of block
	markerDTT = 0xFFA4 // define transform table
	markerDQT = 0xFFA5 // define quantisation table
	markerDHT = 0xFFA6 // define Huffman table(s)
	markerDRT = 0xFFA7 // define restart interval
	markerCOM = 0xFFA8 // comment
)

const maxHuffTables = 8

// scaled16 is a non-negative real sent as a decimal exponent byte and a
// 16-bit integer: value = v / 10^scale, with as many digits as fit.
type scaled16 struct {
	scale uint8
	v     uint16
}

func scaledU16(x float64) scaled16 {
	if !(x > 0) {
		return scaled16{}
	}
	s := 0
	for s < 20 && x*math.Pow10(s+1) < 65535 {
		s++
	}
	return scaled16{uint8(s), uint16(math.Min(65535, math.Round(x*math.Pow10(s))))}
}

func (s scaled16) value() float64 { return float64(s.v) / math.Pow10(int(s.scale)) }

// scaled32 is the same with a sign byte and a 32-bit integer (filter taps).
type scaled32 struct {
	neg   bool
	scale uint8
	v     uint32
}

func scaledU32(x float64) scaled32 {
	out := scaled32{neg: x < 0}
	x = math.Abs(x)
	if x == 0 {
		return out
	}
	for out.scale < 30 && x*math.Pow10(int(out.scale)+1) < math.MaxUint32 {
		out.scale++
	}
	out.v = uint32(math.Min(math.MaxUint32, math.Round(x*math.Pow10(int(out.scale)))))
	return out
}

func (s scaled32) value() float64 {
	v := float64(s.v) / math.Pow10(int(s.scale))
	if s.neg {
		return -v
	}
	return v
}

// frame is the SOF segment.
type frame struct {
	black, white   uint8
	width, height  int
	mShift, rScale float64
	encoder        uint8
	software       uint16
}

// Encoder identification written to SOF, as NBIS 5.0 writes it.
const (
	encoderNumber  = 2
	softwareNumber = 0
)

func writeMarker(w *byteWriter, m uint16) { w.u16(m) }

func writeCOM(w *byteWriter, text string) {
	w.u16(markerCOM)
	w.u16(uint16(2 + len(text)))
	w.bytes([]byte(text))
}

// writeDTT writes the analysis filters, half filters from the centre out.
func writeDTT(w *byteWriter, lo, hi []float64) {
	w.u16(markerDTT)
	w.u16(uint16(2 + 2 + 6*(len(lo)+len(hi))))
	w.u8(uint8(2*len(lo) - 1))
	w.u8(uint8(2*len(hi) - 1))
	for _, taps := range [][]float64{lo, hi} {
		for _, c := range taps {
			s := scaledU32(c)
			w.u8(boolByte(s.neg))
			w.u8(s.scale)
			w.u32(s.v)
		}
	}
}

func boolByte(b bool) byte {
	if b {
		return 1
	}
	return 0
}

func writeDQT(w *byteWriter, t *quantTable) {
	w.u16(markerDQT)
	w.u16(2 + 3 + numBands*6)
	writeScaled16(w, scaledU16(t.center))
	for k := range numBands {
		writeScaled16(w, scaledU16(t.q[k]))
		writeScaled16(w, scaledU16(t.z[k]))
	}
}

func writeScaled16(w *byteWriter, s scaled16) {
	w.u8(s.scale)
	w.u16(s.v)
}

func writeSOF(w *byteWriter, f *frame) {
	w.u16(markerSOF)
	w.u16(17)
	w.u8(f.black)
	w.u8(f.white)
	w.u16(uint16(f.height))
	w.u16(uint16(f.width))
	writeScaled16(w, scaledU16(f.mShift))
	writeScaled16(w, scaledU16(f.rScale))
	w.u8(f.encoder)
	w.u16(f.software)
}

func writeDHT(w *byteWriter, id uint8, s *huffSpec) {
	w.u16(markerDHT)
	w.u16(uint16(2 + 1 + maxCodeLen + len(s.values)))
	w.u8(id)
	for _, c := range s.counts {
		w.u8(c)
	}
	w.bytes(s.values)
}

func writeSOB(w *byteWriter, table uint8) {
	w.u16(markerSOB)
	w.u16(3)
	w.u8(table)
}

// FormatError reports a stream that does not follow the specification. Its
// message names the segment and never includes image content.
type FormatError struct {
	Segment string // "SOI", "DHT", "image data", ...
	Reason  string
}

func (e *FormatError) Error() string {
	return fmt.Sprintf("wsq: %s: %s; the file is damaged or not WSQ", e.Segment, e.Reason)
}

func formatErr(seg, format string, args ...any) error {
	return &FormatError{Segment: seg, Reason: fmt.Sprintf(format, args...)}
}

// segReader reads big-endian fields from a segment body.
type segReader struct {
	name string
	b    []byte
	pos  int
	err  error
}

func (r *segReader) need(n int) bool {
	if r.err == nil && len(r.b)-r.pos < n {
		r.err = formatErr(r.name, "segment is too short")
	}
	return r.err == nil
}

func (r *segReader) u8() uint8 {
	if !r.need(1) {
		return 0
	}
	r.pos++
	return r.b[r.pos-1]
}

func (r *segReader) u16() uint16 { return uint16(r.u8())<<8 | uint16(r.u8()) }

func (r *segReader) u32() uint32 { return uint32(r.u16())<<16 | uint32(r.u16()) }

func (r *segReader) scaled16() float64 {
	s := r.u8()
	return scaled16{min(s, 40), r.u16()}.value()
}

func (r *segReader) scaled32() float64 {
	neg, s := r.u8() != 0, r.u8()
	return scaled32{neg, min(s, 40), r.u32()}.value()
}

func parseSOF(b []byte) (*frame, error) {
	r := &segReader{name: "SOF", b: b}
	f := &frame{black: r.u8(), white: r.u8()}
	f.height = int(r.u16())
	f.width = int(r.u16())
	f.mShift = r.scaled16()
	f.rScale = r.scaled16()
	f.encoder = r.u8()
	f.software = r.u16()
	if r.err != nil {
		return nil, r.err
	}
	if f.width == 0 || f.height == 0 {
		return nil, formatErr("SOF", "image has no pixels")
	}
	return f, nil
}

func parseDQT(b []byte) (*quantTable, error) {
	r := &segReader{name: "DQT", b: b}
	t := &quantTable{center: r.scaled16()}
	for k := range numBands {
		t.q[k] = r.scaled16()
		t.z[k] = r.scaled16()
	}
	for k := codedBands; k < numBands; k++ {
		t.q[k] = 0 // subbands 60-63 are never coded, whatever the table says
	}
	return t, r.err
}

// parseDTT reads the analysis filters and derives the synthesis bank. Only
// odd-length (whole-sample symmetric) filters are supported; every encoder
// in use writes the 9/7 pair.
func parseDTT(b []byte) (*filterBank, error) {
	r := &segReader{name: "DTT", b: b}
	nlo, nhi := int(r.u8()), int(r.u8())
	if r.err != nil {
		return nil, r.err
	}
	if nlo%2 == 0 || nhi%2 == 0 {
		return nil, formatErr("DTT", "even-length filters (%d/%d taps) are not supported", nlo, nhi)
	}
	lo := make([]float64, (nlo+1)/2)
	hi := make([]float64, (nhi+1)/2)
	for i := range lo {
		lo[i] = r.scaled32()
	}
	for i := range hi {
		hi[i] = r.scaled32()
	}
	if r.err != nil {
		return nil, r.err
	}
	return newFilterBank(lo, hi), nil
}

// parseDHT reads one or more tables from a DHT segment.
func parseDHT(b []byte, tables *[maxHuffTables]*huffDecoder) error {
	r := &segReader{name: "DHT", b: b}
	for r.pos < len(b) {
		id := r.u8()
		var s huffSpec
		total := 0
		for l := range s.counts {
			s.counts[l] = r.u8()
			total += int(s.counts[l])
		}
		if r.err != nil {
			return r.err
		}
		if int(id) >= maxHuffTables || total > numSymbols || !r.need(total) {
			return formatErr("DHT", "bad table id or size")
		}
		s.values = b[r.pos : r.pos+total]
		r.pos += total
		d, err := newHuffDecoder(&s)
		if err != nil {
			return err
		}
		tables[id] = d
	}
	return nil
}
