package ansinist

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// Separators of the traditional encoding.
const (
	fs = 0x1C // end of record
	gs = 0x1D // between fields
)

// Compression codes of field 14.011 (CGA).
const (
	CompressionNone = "NONE"
	CompressionWSQ  = "WSQ20"
	CompressionPNG  = "PNG"
	CompressionJP2  = "JP2"
	CompressionJP2L = "JP2L"
)

// Header is every field of a Type-14 record except the image.
type Header struct {
	IDC          int       // image designation character, 0..99
	Impression   int       // 14.003; 0 = live-scan plain
	Agency       string    // 14.004 originating agency, 1..35 printable ASCII
	CaptureDate  time.Time // 14.005 (only the date is recorded)
	Width        int       // 14.006
	Height       int       // 14.007
	PPI          int       // 14.009/14.010 with 14.008 = 1 (pixels per inch)
	Compression  string    // 14.011
	BitsPerPixel int       // 14.012
	Position     int       // 14.013 finger position, 0..10
}

// Record is a Type-14 record.
type Record struct {
	Header
	Image []byte // aliases the input when parsed
}

// ErrFormat is wrapped by every error about a malformed record; retrying
// with the same bytes will not help.
var ErrFormat = errors.New("ansinist: not a valid Type-14 record")

func formatErr(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrFormat, fmt.Sprintf(format, args...))
}

// Validate checks the header fields.
func (h *Header) Validate() error {
	switch {
	case h.IDC < 0 || h.IDC > 99:
		return fmt.Errorf("ansinist: IDC %d outside 0..99", h.IDC)
	case h.Impression < 0 || h.Impression > 29:
		return fmt.Errorf("ansinist: impression type %d outside 0..29", h.Impression)
	case !printable(h.Agency) || len(h.Agency) == 0 || len(h.Agency) > 35:
		return errors.New("ansinist: agency must be 1..35 printable ASCII characters")
	case h.CaptureDate.IsZero() || h.CaptureDate.Year() > 9999:
		return errors.New("ansinist: capture date is required")
	case h.Width < 1 || h.Width > 99999 || h.Height < 1 || h.Height > 99999:
		return fmt.Errorf("ansinist: image size %dx%d", h.Width, h.Height)
	case h.PPI < 1 || h.PPI > 99999:
		return fmt.Errorf("ansinist: resolution %d ppi", h.PPI)
	case !printable(h.Compression) || len(h.Compression) < 3 || len(h.Compression) > 5:
		return fmt.Errorf("ansinist: compression code %q", h.Compression)
	case h.BitsPerPixel < 1 || h.BitsPerPixel > 99:
		return fmt.Errorf("ansinist: %d bits per pixel", h.BitsPerPixel)
	case h.Position < 0 || h.Position > 10:
		return fmt.Errorf("ansinist: finger position %d outside 0..10", h.Position)
	}
	return nil
}

func printable(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7E {
			return false
		}
	}
	return true
}

// fields returns 14.002..14.013 in order.
func (h *Header) fields() [][2]string {
	ppi := strconv.Itoa(h.PPI)
	return [][2]string{
		{"002", fmt.Sprintf("%02d", h.IDC)},
		{"003", strconv.Itoa(h.Impression)},
		{"004", h.Agency},
		{"005", h.CaptureDate.Format("20060102")},
		{"006", strconv.Itoa(h.Width)},
		{"007", strconv.Itoa(h.Height)},
		{"008", "1"},
		{"009", ppi},
		{"010", ppi},
		{"011", h.Compression},
		{"012", strconv.Itoa(h.BitsPerPixel)},
		{"013", strconv.Itoa(h.Position)},
	}
}

// text is the record up to and including "14.999:" for a record whose
// total length is n.
func (h *Header) text(n int) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "14.001:%d", n)
	for _, f := range h.fields() {
		fmt.Fprintf(&b, "%c14.%s:%s", gs, f[0], f[1])
	}
	fmt.Fprintf(&b, "%c14.999:", gs)
	return b.Bytes()
}

// HeaderLen is the length of the text before an image of imageLen bytes.
func (h *Header) HeaderLen(imageLen int) int {
	n := 0
	for { // the length counts its own digits: iterate to the fixed point
		next := len(h.text(n)) + imageLen + 1
		if next == n {
			return n - imageLen - 1
		}
		n = next
	}
}

// Len is the total record length for an image of imageLen bytes.
func (h *Header) Len(imageLen int) int { return h.HeaderLen(imageLen) + imageLen + 1 }

// PutHeader writes the fields before the image into dst[:HeaderLen] and the
// closing FS after dst[HeaderLen+imageLen]; dst must hold Len(imageLen)
// bytes. The image can then be encoded in place.
func (h *Header) PutHeader(dst []byte, imageLen int) error {
	if err := h.Validate(); err != nil {
		return err
	}
	n := h.Len(imageLen)
	if len(dst) != n {
		return fmt.Errorf("ansinist: destination holds %d bytes, record needs %d", len(dst), n)
	}
	copy(dst, h.text(n))
	dst[n-1] = fs
	return nil
}

// MarshalTo writes the record into dst, which must hold r.Len(len(r.Image))
// bytes.
func (r *Record) MarshalTo(dst []byte) (int, error) {
	if err := r.PutHeader(dst, len(r.Image)); err != nil {
		return 0, err
	}
	copy(dst[r.HeaderLen(len(r.Image)):], r.Image)
	return len(dst), nil
}
