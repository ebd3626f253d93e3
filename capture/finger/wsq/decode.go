package wsq

import (
	"errors"
	"fmt"
	"image"
	"strconv"
	"strings"
)

// DefaultMaxPixels bounds the frame a decoder accepts: 16 Mpx covers a
// 500 ppi ten-print card; the working set is about 13 bytes per pixel.
const DefaultMaxPixels = 1 << 24

// DecodeOptions configure a Decoder.
type DecodeOptions struct {
	// MaxPixels is the largest width*height accepted; larger frames fail
	// with ErrTooLarge before anything is allocated.
	MaxPixels int
}

// DefaultDecodeOptions returns MaxPixels = DefaultMaxPixels.
func DefaultDecodeOptions() *DecodeOptions { return &DecodeOptions{MaxPixels: DefaultMaxPixels} }

var (
	// ErrTooLarge reports a frame larger than DecodeOptions.MaxPixels.
	ErrTooLarge = errors.New("wsq: image is larger than this decoder accepts")
	// ErrUnsupported reports a valid feature this decoder does not implement
	// (restart intervals, even-length filters).
	ErrUnsupported = errors.New("wsq: unsupported WSQ feature")
)

// Info describes a WSQ stream.
type Info struct {
	Width, Height int
	PPI           int     // from NIST_COM; -1 when absent or unknown
	BitRate       float64 // WSQ_BITRATE from NIST_COM; 0 when absent
	Encoder       int     // encoder number in the frame header
}

// Decoder decompresses WSQ streams. It is stateless between calls and safe
// for concurrent use.
type Decoder struct{ opts DecodeOptions }

// NewDecoder returns a decoder; nil opts means DefaultDecodeOptions.
func NewDecoder(opts *DecodeOptions) *Decoder {
	if opts == nil {
		opts = DefaultDecodeOptions()
	}
	return &Decoder{opts: *opts}
}

// Decode decompresses data. The pixels are written into memory from alloc
// (called once with width*height bytes); transform scratch is cleared before
// Decode returns.
func (d *Decoder) Decode(data []byte, alloc Alloc) (*image.Gray, Info, error) {
	s := &decodeState{opts: d.opts, data: data, info: Info{PPI: -1}}
	defer s.wipe()
	if err := s.parse(true); err != nil {
		return nil, s.info, err
	}
	img, err := s.reconstruct(alloc)
	return img, s.info, err
}

// DecodeConfig reads the frame header and NIST_COM attributes without
// decoding the image.
func (d *Decoder) DecodeConfig(data []byte) (Info, error) {
	s := &decodeState{opts: d.opts, data: data, info: Info{PPI: -1}}
	err := s.parse(false)
	return s.info, err
}

// Decode decompresses data onto the Go heap with default options.
func Decode(data []byte) (*image.Gray, error) {
	img, _, err := NewDecoder(nil).Decode(data, HeapAlloc)
	return img, err
}

// DecodeConfig reads the frame header with default options.
func DecodeConfig(data []byte) (Info, error) { return NewDecoder(nil).DecodeConfig(data) }

type decodeState struct {
	opts   DecodeOptions
	data   []byte
	pos    int
	bank   *filterBank
	quant  *quantTable
	tables [maxHuffTables]*huffDecoder
	frame  *frame
	geo    *geometry
	idx    []int32
	filled int
	plane  []float32
	tr     *transform
	info   Info
}

func (s *decodeState) wipe() {
	clear(s.idx)
	clear(s.plane)
	if s.tr != nil {
		s.tr.wipe()
	}
}

// parse walks the markers up to EOI (or, when !full, up to the frame
// header).
func (s *decodeState) parse(full bool) error {
	if m, err := s.marker(); err != nil || m != markerSOI {
		return formatErr("SOI", "stream does not start with the WSQ SOI marker")
	}
	for {
		m, err := s.marker()
		if err != nil {
			return err
		}
		switch {
		case m == markerEOI:
			return s.complete()
		case m == markerSOB:
			err = s.block()
		default:
			err = s.segment(m)
		}
		if err != nil {
			return err
		}
		if !full && s.frame != nil {
			return nil
		}
	}
}

func (s *decodeState) marker() (uint16, error) {
	if len(s.data)-s.pos < 2 {
		return 0, formatErr("marker", "data ends before EOI")
	}
	m := uint16(s.data[s.pos])<<8 | uint16(s.data[s.pos+1])
	s.pos += 2
	return m, nil
}

// body returns the body of the marker segment at pos and moves past it.
func (s *decodeState) body(name string) ([]byte, error) {
	if len(s.data)-s.pos < 2 {
		return nil, formatErr(name, "segment length is missing")
	}
	n := int(s.data[s.pos])<<8 | int(s.data[s.pos+1])
	if n < 2 || len(s.data)-s.pos < n {
		return nil, formatErr(name, "segment length %d does not fit the data", n)
	}
	b := s.data[s.pos+2 : s.pos+n]
	s.pos += n
	return b, nil
}

func (s *decodeState) segment(m uint16) error {
	name, ok := segmentNames[m]
	if !ok {
		return formatErr("marker", "unexpected marker %04X", m)
	}
	b, err := s.body(name)
	if err != nil {
		return err
	}
	switch m {
	case markerCOM:
		s.comment(b)
	case markerDTT:
		s.bank, err = parseDTT(b)
	case markerDHT:
		err = parseDHT(b, &s.tables)
	case markerDQT:
		if s.idx != nil {
			return formatErr("DQT", "quantisation table redefined after image data")
		}
		s.quant, err = parseDQT(b)
	case markerSOF:
		err = s.sof(b)
	case markerDRT:
		err = fmt.Errorf("%w: restart intervals (DRT)", ErrUnsupported)
	}
	return err
}

var segmentNames = map[uint16]string{
	markerCOM: "COM", markerDTT: "DTT", markerDHT: "DHT", markerDQT: "DQT",
	markerSOF: "SOF", markerDRT: "DRT",
}

func (s *decodeState) sof(b []byte) error {
	if s.frame != nil {
		return formatErr("SOF", "second frame header")
	}
	f, err := parseSOF(b)
	if err != nil {
		return err
	}
	s.info.Width, s.info.Height, s.info.Encoder = f.width, f.height, int(f.encoder)
	if f.width*f.height > s.opts.MaxPixels {
		return fmt.Errorf("%w: %dx%d pixels, limit %d", ErrTooLarge, f.width, f.height, s.opts.MaxPixels)
	}
	s.frame = f
	return nil
}

// comment keeps the PPI and bit rate of a NIST_COM comment and nothing else.
func (s *decodeState) comment(b []byte) {
	text := string(b)
	if !strings.HasPrefix(text, "NIST_COM") {
		return
	}
	for line := range strings.SplitSeq(text, "\n") {
		name, value, _ := strings.Cut(strings.TrimSpace(line), " ")
		switch name {
		case "PPI":
			if v, err := strconv.Atoi(strings.TrimSpace(value)); err == nil {
				s.info.PPI = v
			}
		case "WSQ_BITRATE":
			if v, err := strconv.ParseFloat(strings.TrimSpace(value), 64); err == nil {
				s.info.BitRate = v
			}
		}
	}
}

// block decodes one SOB segment and its entropy-coded data.
func (s *decodeState) block() error {
	b, err := s.body("SOB")
	if err != nil {
		return err
	}
	if len(b) < 1 {
		return formatErr("SOB", "segment is too short")
	}
	if s.frame == nil || s.quant == nil {
		return formatErr("SOB", "image data before the frame header or quantisation table")
	}
	table := s.tables[b[0]%maxHuffTables]
	if int(b[0]) >= maxHuffTables || table == nil {
		return formatErr("SOB", "block uses Huffman table %d, which is not defined", b[0])
	}
	if s.idx == nil {
		s.geo = newGeometry(s.frame.width, s.frame.height)
		s.idx = make([]int32, codedCount(s.geo, s.quant, -1))
	}
	r := &bitReader{data: s.data, pos: s.pos}
	s.filled, err = decodeBlock(r, table, s.idx, s.filled)
	s.pos = r.pos
	if err != nil {
		return formatErr("image data", "%v", unwrapWSQ(err))
	}
	return nil
}

// unwrapWSQ strips the package prefix of internal sentinel errors for
// embedding in a FormatError.
func unwrapWSQ(err error) string {
	return strings.TrimPrefix(strings.SplitN(err.Error(), ";", 2)[0], "wsq: ")
}

func (s *decodeState) complete() error {
	switch {
	case s.frame == nil:
		return formatErr("EOI", "no frame header")
	case s.idx == nil:
		return formatErr("EOI", "no image data")
	case s.bank == nil:
		return formatErr("EOI", "no transform table (DTT)")
	}
	return nil
}

// reconstruct dequantises, runs the inverse transform and converts to 8-bit
// pixels in memory from alloc.
func (s *decodeState) reconstruct(alloc Alloc) (*image.Gray, error) {
	w, h := s.frame.width, s.frame.height
	pix, err := alloc(w * h)
	if err != nil {
		return nil, fmt.Errorf("wsq: allocate %d bytes for the decoded image: %w", w*h, err)
	}
	if len(pix) != w*h {
		clear(pix)
		return nil, fmt.Errorf("wsq: allocator returned %d bytes, want %d", len(pix), w*h)
	}
	s.plane = make([]float32, w*h)
	dequantize(s.plane, s.idx, s.geo, s.quant)
	s.tr = newTransform(s.bank, w, h)
	s.tr.reconstruct(s.plane, s.geo)
	for i, v := range s.plane {
		p := float64(v)*s.frame.rScale + s.frame.mShift + 0.5
		switch {
		case p < 0:
			pix[i] = 0
		case p > 255:
			pix[i] = 255
		default:
			pix[i] = uint8(p)
		}
	}
	return &image.Gray{Pix: pix, Stride: w, Rect: image.Rect(0, 0, w, h)}, nil
}

// DecodePixels decompresses data to tightly packed 8-bit rows (width bytes
// per row) on the Go heap: the shape matchers and image libraries take.
// The caller owns pix and should clear it when done: it is biometric.
func DecodePixels(data []byte) (pix []byte, width, height int, err error) {
	img, err := Decode(data)
	if err != nil {
		return nil, 0, 0, err
	}
	width, height = img.Rect.Dx(), img.Rect.Dy()
	if img.Stride == width {
		return img.Pix[:width*height], width, height, nil
	}
	pix = make([]byte, width*height)
	for y := 0; y < height; y++ {
		copy(pix[y*width:], img.Pix[y*img.Stride:y*img.Stride+width])
	}
	clear(img.Pix)
	return pix, width, height, nil
}
