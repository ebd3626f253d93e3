package cvmatch

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// ISO/IEC 19794-4:2005 finger image record, the subset the simulator reads:
// a 32-byte general header ("FIR\0", "010\0", 6-byte record length, device,
// acquisition level, finger count, scale units, scan and image resolutions,
// pixel depth at byte 28, compression at byte 29, reserved) and one 14-byte finger header followed by the
// image data. Compression 0 (uncompressed, 8-bit), 3 (JPEG) and 5 (PNG).
const (
	isoGeneralHeader = 32
	isoFingerHeader  = 14
	isoMaxSide       = 4096
)

// Compression algorithm codes of ISO/IEC 19794-4 (table 3).
const (
	isoUncompressed = 0
	isoBitPacked    = 1
	isoWSQ          = 2
	isoJPEG         = 3
	isoJPEG2000     = 4
	isoPNG          = 5
)

// isoImage is a parsed record: either raw 8-bit pixels or encoded bytes.
type isoImage struct {
	width, height int
	compression   byte
	position      byte
	data          []byte // aliases the record
}

var errISO = errors.New("cvmatch: not a readable ISO/IEC 19794-4 record")

func parseISO19794(b []byte) (*isoImage, error) {
	if len(b) < isoGeneralHeader+isoFingerHeader || string(b[0:4]) != "FIR\x00" || string(b[4:8]) != "010\x00" {
		return nil, errISO
	}
	recLen := uint64(binary.BigEndian.Uint16(b[8:]))<<32 | uint64(binary.BigEndian.Uint32(b[10:]))
	if recLen != uint64(len(b)) || b[28] != 8 {
		return nil, fmt.Errorf("%w: record length or pixel depth", errISO)
	}
	img := &isoImage{compression: b[29]}
	f := b[isoGeneralHeader:]
	blockLen := binary.BigEndian.Uint32(f)
	img.position = f[4]
	img.width, img.height = int(binary.BigEndian.Uint16(f[9:])), int(binary.BigEndian.Uint16(f[11:]))
	if uint64(blockLen) != uint64(len(f)) || img.width == 0 || img.height == 0 || img.width > isoMaxSide || img.height > isoMaxSide {
		return nil, fmt.Errorf("%w: finger block", errISO)
	}
	img.data = f[isoFingerHeader:]
	if img.compression == isoUncompressed && len(img.data) != img.width*img.height {
		return nil, fmt.Errorf("%w: image size", errISO)
	}
	return img, nil
}

// EncodeISO19794Raw builds an uncompressed 8-bit ISO/IEC 19794-4 record at
// 500 ppi for finger position pos (fixtures and synthetic references).
func EncodeISO19794Raw(pix []byte, width, height, pos int) ([]byte, error) {
	if width <= 0 || height <= 0 || width > isoMaxSide || height > isoMaxSide || len(pix) != width*height || pos < 0 || pos > 10 {
		return nil, errors.New("cvmatch: encode ISO/IEC 19794-4: bad size or position")
	}
	total := isoGeneralHeader + isoFingerHeader + len(pix)
	b := make([]byte, total)
	copy(b, "FIR\x00010\x00")
	binary.BigEndian.PutUint16(b[8:], uint16(uint64(total)>>32))
	binary.BigEndian.PutUint32(b[10:], uint32(total))
	binary.BigEndian.PutUint16(b[16:], 31)      // acquisition level: 500 ppi class
	b[18], b[19] = 1, 1                         // one finger; scale in ppi
	for _, off := range []int{20, 22, 24, 26} { // scan and image resolutions
		binary.BigEndian.PutUint16(b[off:], 500)
	}
	b[28], b[29] = 8, isoUncompressed // pixel depth, compression
	f := b[isoGeneralHeader:]
	binary.BigEndian.PutUint32(f, uint32(isoFingerHeader+len(pix)))
	f[4], f[5], f[6], f[7], f[8] = byte(pos), 1, 1, 100, 0
	binary.BigEndian.PutUint16(f[9:], uint16(width))
	binary.BigEndian.PutUint16(f[11:], uint16(height))
	copy(f[isoFingerHeader:], pix)
	return b, nil
}
