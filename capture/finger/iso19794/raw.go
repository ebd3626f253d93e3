package iso19794

import "errors"

// Raw builds a one-view record of uncompressed 8-bit pixels at 500 ppi
// (acquisition level 31, quality 100, live-scan plain) for finger position
// pos: the form INE's reference tools and test fixtures use for synthetic
// references.
func Raw(pix []byte, width, height int, pos Position) ([]byte, error) {
	if width <= 0 || height <= 0 || width > 0xffff || height > 0xffff || len(pix) != width*height {
		return nil, errors.New("iso19794: raw record: the pixels do not match the size")
	}
	r := &Record{
		Header: Header{AcquisitionLevel: 31, ScaleUnits: PixelsPerInch, ScanPPIX: 500, ScanPPIY: 500,
			ImagePPIX: 500, ImagePPIY: 500, PixelDepth: 8, Compression: Uncompressed},
		Views: []View{{Position: pos, ViewCount: 1, ViewNumber: 1, Quality: 100, Impression: LivePlain,
			Width: uint16(width), Height: uint16(height), Image: pix}},
	}
	b := make([]byte, r.Len())
	if _, err := r.MarshalTo(b); err != nil {
		return nil, err
	}
	return b, nil
}
