package iso19794

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Lengths of the fixed parts of a record.
const (
	HeaderLen       = 32
	FingerHeaderLen = 14
	maxRecordLen    = 1<<48 - 1 // the 6-byte length field
)

// Compression is the image compression algorithm code (7.1.13).
type Compression uint8

const (
	Uncompressed       Compression = 0
	UncompressedPacked Compression = 1
	WSQ                Compression = 2
	JPEG               Compression = 3
	JPEG2000           Compression = 4
	PNG                Compression = 5
)

// Position is the finger position code (Table 5); this package writes the
// single-finger codes 0 (unknown) to 10.
type Position uint8

const (
	UnknownFinger Position = iota
	RightThumb
	RightIndex
	RightMiddle
	RightRing
	RightLittle
	LeftThumb
	LeftIndex
	LeftMiddle
	LeftRing
	LeftLittle
)

var positionNames = [...]string{
	"unknown finger", "right thumb", "right index", "right middle", "right ring", "right little",
	"left thumb", "left index", "left middle", "left ring", "left little",
}

func (p Position) String() string {
	if int(p) < len(positionNames) {
		return positionNames[p]
	}
	return fmt.Sprintf("position %d", uint8(p))
}

// Impression is the impression type code (Table 7).
type Impression uint8

const (
	LivePlain     Impression = 0
	LiveRolled    Impression = 1
	NonlivePlain  Impression = 2
	NonliveRolled Impression = 3
	Latent        Impression = 7
	Swipe         Impression = 8
	Contactless   Impression = 9
)

// Scale units of the resolution fields.
const (
	PixelsPerInch = 1
	PixelsPerCM   = 2
)

// Image acquisition setting levels (Table 1): 31 is 500 ppi, 8 bits per
// pixel, at least 200 gray levels in use; 30 the same with at least 80.
const (
	Level500ppi  = 31
	Level500ppiB = 30
)

// QualityNotReported is the quality value for "not computed" (ANSI/INCITS
// 381 uses it; ISO 19794-4:2005 expects 0..100).
const QualityNotReported = 254

// Header is the general record header.
type Header struct {
	CaptureDevice    uint16 // vendor-assigned capture device id, 0 if unknown
	AcquisitionLevel uint16
	ScaleUnits       uint8
	ScanPPIX         uint16 // scan resolution
	ScanPPIY         uint16
	ImagePPIX        uint16 // resolution of the image in the record
	ImagePPIY        uint16
	PixelDepth       uint8 // bits per pixel, 1..16
	Compression      Compression
}

// View is one finger image.
type View struct {
	Position   Position
	ViewCount  uint8 // views of this finger in the record
	ViewNumber uint8 // 1-based
	Quality    uint8 // 0..100
	Impression Impression
	Width      uint16
	Height     uint16
	Image      []byte // compressed (or raw) image data; aliases the input when read
}

// Record is a finger image record.
type Record struct {
	Header
	Views []View
}

// ErrFormat is wrapped by every error about malformed records; the caller
// should not retry with the same bytes.
var ErrFormat = errors.New("iso19794: not a valid ISO/IEC 19794-4:2005 finger image record")

func formatErr(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrFormat, fmt.Sprintf(format, args...))
}

// Len is the encoded length of the record.
func (r *Record) Len() int {
	n := HeaderLen
	for _, v := range r.Views {
		n += FingerHeaderLen + len(v.Image)
	}
	return n
}

// Validate checks the fields the writer puts on the wire.
func (r *Record) Validate() error {
	switch {
	case len(r.Views) == 0 || len(r.Views) > 255:
		return fmt.Errorf("iso19794: a record holds 1..255 views, not %d", len(r.Views))
	case r.ScaleUnits != PixelsPerInch && r.ScaleUnits != PixelsPerCM:
		return fmt.Errorf("iso19794: scale units %d; use PixelsPerInch or PixelsPerCM", r.ScaleUnits)
	case r.PixelDepth < 1 || r.PixelDepth > 16:
		return fmt.Errorf("iso19794: pixel depth %d outside 1..16", r.PixelDepth)
	case r.Compression > PNG:
		return fmt.Errorf("iso19794: unknown compression code %d", r.Compression)
	case r.ImagePPIX == 0 || r.ImagePPIY == 0:
		return errors.New("iso19794: image resolution is required")
	}
	for i, v := range r.Views {
		if err := v.validate(); err != nil {
			return fmt.Errorf("iso19794: view %d: %w", i+1, err)
		}
	}
	if r.Len() > maxRecordLen {
		return errors.New("iso19794: record too long")
	}
	return nil
}

func (v *View) validate() error {
	switch {
	case v.Position > LeftLittle:
		return fmt.Errorf("finger position %d; single fingers are 0..10", v.Position)
	case v.Quality > 100:
		return fmt.Errorf("quality %d outside 0..100", v.Quality)
	case v.ViewNumber == 0 || v.ViewCount == 0 || v.ViewNumber > v.ViewCount:
		return fmt.Errorf("view %d of %d", v.ViewNumber, v.ViewCount)
	case v.Width == 0 || v.Height == 0:
		return errors.New("image size is required")
	case uint64(len(v.Image))+FingerHeaderLen > 1<<32-1:
		return errors.New("image too long for the 4-byte view length")
	}
	return nil
}

// MarshalTo writes the record into dst, which must hold exactly r.Len()
// bytes, and returns the number of bytes written.
func (r *Record) MarshalTo(dst []byte) (int, error) {
	if err := r.Validate(); err != nil {
		return 0, err
	}
	if len(dst) != r.Len() {
		return 0, fmt.Errorf("iso19794: destination holds %d bytes, record needs %d", len(dst), r.Len())
	}
	PutHeader(dst, &r.Header, uint64(len(dst)), len(r.Views))
	off := HeaderLen
	for i := range r.Views {
		v := &r.Views[i]
		PutViewHeader(dst[off:], v, len(v.Image))
		off += FingerHeaderLen
		off += copy(dst[off:], v.Image)
	}
	return off, nil
}

// PutHeader writes a general header for a record of total length n holding
// views views into dst[:HeaderLen]. With PutViewHeader it lets a caller
// write the image data in place (for example a WSQ stream encoded directly
// into dst[HeaderLen+FingerHeaderLen:]).
func PutHeader(dst []byte, h *Header, n uint64, views int) {
	copy(dst[0:4], "FIR\x00")
	copy(dst[4:8], "010\x00")
	binary.BigEndian.PutUint16(dst[8:10], uint16(n>>32))
	binary.BigEndian.PutUint32(dst[10:14], uint32(n))
	binary.BigEndian.PutUint16(dst[14:16], h.CaptureDevice)
	binary.BigEndian.PutUint16(dst[16:18], h.AcquisitionLevel)
	dst[18] = uint8(views)
	dst[19] = h.ScaleUnits
	binary.BigEndian.PutUint16(dst[20:22], h.ScanPPIX)
	binary.BigEndian.PutUint16(dst[22:24], h.ScanPPIY)
	binary.BigEndian.PutUint16(dst[24:26], h.ImagePPIX)
	binary.BigEndian.PutUint16(dst[26:28], h.ImagePPIY)
	dst[28] = h.PixelDepth
	dst[29] = uint8(h.Compression)
	dst[30], dst[31] = 0, 0
}

// PutViewHeader writes the 14-byte finger header of v, for imageLen bytes of
// image data, into dst[:FingerHeaderLen]. v.Image is not used.
func PutViewHeader(dst []byte, v *View, imageLen int) {
	binary.BigEndian.PutUint32(dst[0:4], uint32(FingerHeaderLen+imageLen))
	dst[4] = uint8(v.Position)
	dst[5] = v.ViewCount
	dst[6] = v.ViewNumber
	dst[7] = v.Quality
	dst[8] = uint8(v.Impression)
	binary.BigEndian.PutUint16(dst[9:11], v.Width)
	binary.BigEndian.PutUint16(dst[11:13], v.Height)
	dst[13] = 0
}

// Parse reads a record. The views' Image slices alias data; nothing is
// copied. Parse allocates only the Views slice (at most 255 entries).
func Parse(data []byte) (*Record, error) {
	if len(data) < HeaderLen {
		return nil, formatErr("%d bytes, shorter than the %d-byte header", len(data), HeaderLen)
	}
	if string(data[0:4]) != "FIR\x00" || string(data[4:8]) != "010\x00" {
		return nil, formatErr("missing the FIR / 010 identifiers")
	}
	n := uint64(binary.BigEndian.Uint16(data[8:10]))<<32 | uint64(binary.BigEndian.Uint32(data[10:14]))
	if n != uint64(len(data)) {
		return nil, formatErr("record length field says %d bytes, data has %d", n, len(data))
	}
	r := &Record{Header: parseHeader(data)}
	count := int(data[18])
	if count == 0 {
		return nil, formatErr("record has no finger views")
	}
	r.Views = make([]View, 0, count)
	off := HeaderLen
	for i := range count {
		v, next, err := parseView(data, off)
		if err != nil {
			return nil, fmt.Errorf("view %d: %w", i+1, err)
		}
		r.Views = append(r.Views, v)
		off = next
	}
	if off != len(data) {
		return nil, formatErr("%d bytes after the last view", len(data)-off)
	}
	return r, nil
}

func parseHeader(data []byte) Header {
	be := binary.BigEndian
	return Header{
		CaptureDevice:    be.Uint16(data[14:16]),
		AcquisitionLevel: be.Uint16(data[16:18]),
		ScaleUnits:       data[19],
		ScanPPIX:         be.Uint16(data[20:22]),
		ScanPPIY:         be.Uint16(data[22:24]),
		ImagePPIX:        be.Uint16(data[24:26]),
		ImagePPIY:        be.Uint16(data[26:28]),
		PixelDepth:       data[28],
		Compression:      Compression(data[29]),
	}
}

func parseView(data []byte, off int) (View, int, error) {
	if len(data)-off < FingerHeaderLen {
		return View{}, 0, formatErr("finger header truncated")
	}
	h := data[off : off+FingerHeaderLen]
	n := uint64(binary.BigEndian.Uint32(h[0:4]))
	if n < FingerHeaderLen || n > uint64(len(data)-off) {
		return View{}, 0, formatErr("finger data length %d does not fit the record", n)
	}
	v := View{
		Position:   Position(h[4]),
		ViewCount:  h[5],
		ViewNumber: h[6],
		Quality:    h[7],
		Impression: Impression(h[8]),
		Width:      binary.BigEndian.Uint16(h[9:11]),
		Height:     binary.BigEndian.Uint16(h[11:13]),
	}
	end := off + int(n)
	v.Image = data[off+FingerHeaderLen : end : end]
	return v, end, nil
}
