package finger

import (
	"fmt"
	"image"
	"math"

	"github.com/ventanilla-mx/ventanilla/capture/finger/ansinist"
	"github.com/ventanilla-mx/ventanilla/capture/finger/iso19794"
	"github.com/ventanilla-mx/ventanilla/capture/finger/wsq"
)

// EncodeOptions configure an Encoder. The zero value of a field means its
// default.
type EncodeOptions struct {
	// BitRate is the WSQ target in bits per pixel (default 0.75, the FBI
	// setting for 500 ppi images).
	BitRate float64
	// Impression is written to finger image records (default live-scan
	// plain, which is what a kiosk scanner takes).
	Impression iso19794.Impression
}

// Encoder turns accepted captures into WSQ streams and ISO/IEC 19794-4
// records in memory the caller provides. It keeps transform scratch between
// calls (cleared before each call returns) and is not safe for concurrent
// use.
type Encoder struct {
	opts EncodeOptions
	wsq  *wsq.Encoder
}

// NewEncoder returns an Encoder; nil opts means the defaults.
func NewEncoder(opts *EncodeOptions) (*Encoder, error) {
	o := EncodeOptions{}
	if opts != nil {
		o = *opts
	}
	if o.BitRate == 0 {
		o.BitRate = wsq.DefaultBitRate
	}
	w, err := wsq.NewEncoder(&wsq.Options{BitRate: o.BitRate, PPI: TargetPPI})
	if err != nil {
		return nil, fmt.Errorf("finger: %w", err)
	}
	return &Encoder{opts: o, wsq: w}, nil
}

// WSQ compresses img, which must be at 500 ppi (as Normalize returns it),
// into memory from alloc, called once with the exact size.
func (e *Encoder) WSQ(img *image.Gray, alloc Alloc) ([]byte, error) {
	out, err := e.wsq.Encode(img, wsq.Alloc(alloc))
	if err != nil {
		return nil, fmt.Errorf("finger: encode WSQ: %w", err)
	}
	return out, nil
}

// Record writes an ISO/IEC 19794-4:2005 finger image record holding one
// WSQ view of img (at 500 ppi) into memory from alloc, called once with the
// exact record size; the WSQ stream is encoded in place after the headers.
// src is the capture's source (its resolution is recorded as the scan
// resolution), pos the finger (1..10) and quality the Assessment score.
func (e *Encoder) Record(img *image.Gray, src Source, pos iso19794.Position, quality int, alloc Alloc) ([]byte, error) {
	if pos < iso19794.RightThumb || pos > iso19794.LeftLittle {
		return nil, fmt.Errorf("finger: finger position %d; use 1 (right thumb) .. 10 (left little)", pos)
	}
	if quality < 0 || quality > 100 {
		return nil, fmt.Errorf("finger: quality %d outside 0..100", quality)
	}
	if err := src.Validate(); err != nil {
		return nil, err
	}
	const headers = iso19794.HeaderLen + iso19794.FingerHeaderLen
	var rec []byte
	stream, err := e.wsq.Encode(img, func(n int) ([]byte, error) {
		buf, err := alloc(headers + n)
		if err != nil {
			return nil, err
		}
		if len(buf) != headers+n {
			clear(buf)
			return nil, fmt.Errorf("allocator returned %d bytes, want %d", len(buf), headers+n)
		}
		rec = buf
		return buf[headers:], nil
	})
	if err != nil {
		return nil, fmt.Errorf("finger: encode record: %w", err)
	}
	hdr := recordHeader(src)
	view := iso19794.View{
		Position: pos, ViewCount: 1, ViewNumber: 1, Quality: uint8(quality),
		Impression: e.opts.Impression, Width: uint16(img.Rect.Dx()), Height: uint16(img.Rect.Dy()),
	}
	iso19794.PutHeader(rec, &hdr, uint64(len(rec)), 1)
	iso19794.PutViewHeader(rec[iso19794.HeaderLen:], &view, len(stream))
	return rec, nil
}

// Type14 writes an ANSI/NIST-ITL Type-14 record holding one WSQ image of
// img (at 500 ppi) into memory from alloc, called once with the exact size.
// meta supplies the IDC, impression type, agency and capture date; size,
// resolution, compression and position come from img and pos.
func (e *Encoder) Type14(img *image.Gray, pos iso19794.Position, meta ansinist.Header, alloc Alloc) ([]byte, error) {
	if pos < iso19794.RightThumb || pos > iso19794.LeftLittle {
		return nil, fmt.Errorf("finger: finger position %d; use 1 (right thumb) .. 10 (left little)", pos)
	}
	h := meta
	h.Width, h.Height, h.PPI = img.Rect.Dx(), img.Rect.Dy(), TargetPPI
	h.Compression, h.BitsPerPixel, h.Position = ansinist.CompressionWSQ, 8, int(pos)
	if err := h.Validate(); err != nil {
		return nil, fmt.Errorf("finger: %w", err)
	}
	var rec []byte
	_, err := e.wsq.Encode(img, func(n int) ([]byte, error) {
		buf, err := alloc(h.Len(n))
		if err != nil {
			return nil, err
		}
		if err := h.PutHeader(buf, n); err != nil {
			clear(buf)
			return nil, err
		}
		rec = buf
		start := h.HeaderLen(n)
		return buf[start : start+n], nil
	})
	if err != nil {
		return nil, fmt.Errorf("finger: encode Type-14 record: %w", err)
	}
	return rec, nil
}

// recordHeader describes a 500 ppi, 8-bit WSQ image from src. Sources with
// fewer than 8 significant bits (the R30x's 16 gray levels) are declared at
// acquisition level 30 rather than 31; strictly they meet neither level's
// gray-range requirement (docs/fingerprint.md).
func recordHeader(src Source) iso19794.Header {
	level := uint16(iso19794.Level500ppi)
	if src.BitDepth < 8 {
		level = iso19794.Level500ppiB
	}
	scan := uint16(math.Round(src.PPI))
	return iso19794.Header{
		CaptureDevice: src.Device, AcquisitionLevel: level, ScaleUnits: iso19794.PixelsPerInch,
		ScanPPIX: scan, ScanPPIY: scan, ImagePPIX: TargetPPI, ImagePPIY: TargetPPI,
		PixelDepth: 8, Compression: iso19794.WSQ,
	}
}
