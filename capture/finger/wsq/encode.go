package wsq

import (
	"errors"
	"fmt"
	"image"
	"math"
	"strings"
)

// Alloc returns exactly n bytes of memory owned by the caller, into which the
// encoder writes. Pass a secmem allocator so the stream never lives in the Go
// heap; the caller wipes and releases it.
type Alloc func(n int) ([]byte, error)

// HeapAlloc allocates on the Go heap, for tools and tests.
func HeapAlloc(n int) ([]byte, error) { return make([]byte, n), nil }

const (
	// DefaultBitRate is the FBI's target for 500 ppi images: 0.75 bits per
	// pixel, which lands near 15:1 on typical prints.
	DefaultBitRate = 0.75
	MinBitRate     = 0.1
	MaxBitRate     = 8.0
	// MinDimension keeps every subband that is filtered at least 5 samples
	// long; NBIS-derived decoders read outside shorter lines.
	MinDimension = 128
	// MaxDimension is the largest size the frame header can carry.
	MaxDimension = 65535
	// DefaultPPI is the resolution recorded when none is given.
	DefaultPPI = 500
)

// Options configure an Encoder.
type Options struct {
	// BitRate is the target in bits per pixel, MinBitRate..MaxBitRate.
	BitRate float64
	// PPI is the scan resolution recorded in the NIST_COM comment; 0 or
	// negative records -1 ("unknown").
	PPI int
}

// DefaultOptions returns 0.75 bpp at 500 ppi.
func DefaultOptions() *Options { return &Options{BitRate: DefaultBitRate, PPI: DefaultPPI} }

// ErrUnsupportedImage reports an image the encoder cannot take (too small or
// too large); the caller must not retry with the same image.
var ErrUnsupportedImage = errors.New("wsq: unsupported image")

// Encoder compresses images. It keeps its scratch memory between calls and
// clears it before each Encode returns. Not safe for concurrent use.
type Encoder struct {
	opts  Options
	bank  *filterBank
	plane []float32
	idx   []int32
	tr    *transform
}

// NewEncoder returns an encoder; nil opts means DefaultOptions.
func NewEncoder(opts *Options) (*Encoder, error) {
	if opts == nil {
		opts = DefaultOptions()
	}
	if !(opts.BitRate >= MinBitRate && opts.BitRate <= MaxBitRate) {
		return nil, fmt.Errorf("wsq: bit rate %g outside %g..%g bits per pixel", opts.BitRate, MinBitRate, MaxBitRate)
	}
	return &Encoder{opts: *opts, bank: newFilterBank(stdLowpass, stdHighpass)}, nil
}

// Encode compresses img and returns the stream, written into the memory alloc
// returned (called once, with the exact size). On error nothing is allocated
// or the allocated memory is cleared.
func (e *Encoder) Encode(img *image.Gray, alloc Alloc) ([]byte, error) {
	defer e.wipe()
	st, err := e.analyze(img)
	if err != nil {
		return nil, err
	}
	var count byteWriter
	st.write(&count)
	buf, err := alloc(count.n)
	if err != nil {
		return nil, fmt.Errorf("wsq: allocate %d bytes for the encoded image: %w", count.n, err)
	}
	if len(buf) != count.n {
		clear(buf)
		return nil, fmt.Errorf("wsq: allocator returned %d bytes, want %d", len(buf), count.n)
	}
	st.write(&byteWriter{buf: buf})
	return buf, nil
}

// Encode compresses img into a new heap slice with the given options (nil
// for defaults). For biometric data in the kiosk use an Encoder with a secmem
// Alloc instead.
func Encode(img *image.Gray, opts *Options) ([]byte, error) {
	e, err := NewEncoder(opts)
	if err != nil {
		return nil, err
	}
	return e.Encode(img, HeapAlloc)
}

// wipe clears every buffer that held image-derived values.
func (e *Encoder) wipe() {
	clear(e.plane)
	clear(e.idx)
	if e.tr != nil {
		e.tr.wipe()
	}
}

// stream is everything the encoder writes, in order.
type stream struct {
	comment string
	lo, hi  []float64
	quant   quantTable
	frame   frame
	specs   [2]huffSpec
	codes   [2]*huffCode
	blocks  [3][]int32
}

func (e *Encoder) analyze(img *image.Gray) (*stream, error) {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	if w < MinDimension || h < MinDimension || w > MaxDimension || h > MaxDimension {
		return nil, fmt.Errorf("%w: %dx%d pixels; each side must be %d..%d", ErrUnsupportedImage, w, h, MinDimension, MaxDimension)
	}
	e.grow(w, h)
	st := &stream{lo: stdLowpass, hi: stdHighpass, comment: e.nistcom(w, h)}
	st.frame = frame{white: 255, width: w, height: h, encoder: encoderNumber, software: softwareNumber}
	st.frame.mShift, st.frame.rScale = toPlane(e.plane, img)
	g := newGeometry(w, h)
	e.tr.decompose(e.plane, g)
	vars := bandVariances(e.plane, g)
	st.quant = binWidths(&vars, e.opts.BitRate)
	st.quant.toStream()
	quantize(e.idx, e.plane, g, &st.quant)
	pos := 0
	for b := range st.blocks {
		n := codedCount(g, &st.quant, b)
		st.blocks[b] = e.idx[pos : pos+n]
		pos += n
	}
	return st, st.buildTables()
}

func (e *Encoder) grow(w, h int) {
	n := w * h
	if cap(e.plane) < n {
		e.plane = make([]float32, n)
		e.idx = make([]int32, n)
	}
	e.plane, e.idx = e.plane[:n], e.idx[:n]
	if e.tr == nil || len(e.tr.trans) != n || len(e.tr.line) != max(w, h) {
		e.tr = newTransform(e.bank, w, h)
	}
}

// toPlane shifts and scales the pixels to about ±128 around their mean and
// returns the shift and scale as the frame header will carry them.
func toPlane(plane []float32, img *image.Gray) (shift, scale float64) {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	lo, hi, sum := 255, 0, 0
	for y := range h {
		for _, p := range rowOf(img, y) {
			lo, hi, sum = min(lo, int(p)), max(hi, int(p)), sum+int(p)
		}
	}
	mean := float64(sum) / float64(w*h)
	shift = scaledU16(mean).value()
	scale = scaledU16(math.Max(shift-float64(lo), float64(hi)-shift) / 128).value()
	if scale == 0 {
		scale = 1 // a flat image: every sample is 0 either way
	}
	for y := range h {
		row := plane[y*w : (y+1)*w]
		for x, p := range rowOf(img, y) {
			row[x] = float32((float64(p) - shift) / scale)
		}
	}
	return shift, scale
}

func rowOf(img *image.Gray, y int) []uint8 {
	off := img.PixOffset(img.Rect.Min.X, img.Rect.Min.Y+y)
	return img.Pix[off : off+img.Rect.Dx()]
}

// nistcom is the NIST_COM comment NBIS writes: image attributes only.
func (e *Encoder) nistcom(w, h int) string {
	ppi := e.opts.PPI
	if ppi <= 0 {
		ppi = -1
	}
	fields := []string{
		"NIST_COM 9",
		fmt.Sprintf("PIX_WIDTH %d", w),
		fmt.Sprintf("PIX_HEIGHT %d", h),
		"PIX_DEPTH 8",
		fmt.Sprintf("PPI %d", ppi),
		"LOSSY 1",
		"COLORSPACE GRAY",
		"COMPRESSION WSQ",
		fmt.Sprintf("WSQ_BITRATE %f", e.opts.BitRate),
	}
	return strings.Join(fields, "\n")
}

// buildTables makes table 0 for block 1 and table 1 for blocks 2 and 3.
func (st *stream) buildTables() error {
	var c0, c1 symbolCounter
	emitSymbols(st.blocks[0], &c0)
	emitSymbols(st.blocks[1], &c1)
	emitSymbols(st.blocks[2], &c1)
	st.specs[0] = buildHuffSpec(&c0.freq)
	st.specs[1] = buildHuffSpec(&c1.freq)
	for i := range st.specs {
		c, err := st.specs[i].codes()
		if err != nil {
			return fmt.Errorf("wsq: build Huffman table %d: %w", i, err)
		}
		st.codes[i] = c
	}
	return nil
}

// write emits the whole stream.
func (st *stream) write(w *byteWriter) {
	writeMarker(w, markerSOI)
	writeCOM(w, st.comment)
	writeDTT(w, st.lo, st.hi)
	writeDQT(w, &st.quant)
	writeSOF(w, &st.frame)
	for b, idx := range st.blocks {
		table := uint8(min(b, 1))
		if b < 2 {
			writeDHT(w, table, &st.specs[table])
		}
		writeSOB(w, table)
		bw := &bitWriter{w: w}
		emitSymbols(idx, &symbolCoder{code: st.codes[table], bits: bw})
		bw.flush()
	}
	writeMarker(w, markerEOI)
}
