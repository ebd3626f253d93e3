package fingerprint

import (
	"encoding/binary"
	"fmt"
	"strings"
)

// Instruction codes (R307 manual §5; R503 manual §5 for the extras).
const (
	InsGenImg        byte = 0x01
	InsUpImage       byte = 0x0A
	InsSetSysPara    byte = 0x0E
	InsReadSysPara   byte = 0x0F
	InsVfyPwd        byte = 0x13
	InsGetImageEx    byte = 0x28 // R503
	InsAuraLedConfig byte = 0x35 // R503
	InsReadProdInfo  byte = 0x3C // R503
	InsHandShake     byte = 0x40 // R503
)

// SetSysPara parameter numbers.
const (
	ParamBaud       byte = 4 // value N: baud = 9600*N
	ParamSecurity   byte = 5
	ParamPacketSize byte = 6 // value 0..3: 32, 64, 128, 256 bytes
)

// Default geometry of the R307/AS608/ZFM-20 image buffer.
const (
	DefaultWidth  = 256
	DefaultHeight = 288
	DefaultDPI    = 500
)

// PacketSizeCode maps a data packet size in bytes to its SetSysPara code.
func PacketSizeCode(size int) (byte, error) {
	switch size {
	case 32:
		return 0, nil
	case 64:
		return 1, nil
	case 128:
		return 2, nil
	case 256:
		return 3, nil
	}
	return 0, fmt.Errorf("fingerprint: packet size %d: must be 32, 64, 128 or 256", size)
}

// BaudCode maps a baud rate to the module's N (baud = 9600*N, N = 1..12).
func BaudCode(baud int) (byte, error) {
	if baud%9600 != 0 || baud < 9600 || baud > 115200 {
		return 0, fmt.Errorf("fingerprint: baud %d: must be 9600×N with N from 1 to 12", baud)
	}
	return byte(baud / 9600), nil
}

// SysPara is the 16-byte answer of ReadSysPara.
type SysPara struct {
	Status        uint16 // status register: bit 0 busy, 1 pass, 2 password verified, 3 image buffer valid
	SystemID      uint16
	LibrarySize   uint16
	SecurityLevel uint16
	Address       uint32
	PacketSize    int // bytes
	Baud          int
}

// sysParaLen is the length of ReadSysPara's parameters.
const sysParaLen = 16

func decodeSysPara(b []byte) (SysPara, error) {
	if len(b) < sysParaLen {
		return SysPara{}, fmt.Errorf("ReadSysPara: %d parameter bytes, want %d: %w", len(b), sysParaLen, ErrProtocol)
	}
	code := binary.BigEndian.Uint16(b[12:14])
	if code > 3 {
		return SysPara{}, fmt.Errorf("ReadSysPara: packet size code %d: %w", code, ErrProtocol)
	}
	return SysPara{
		Status:        binary.BigEndian.Uint16(b[0:2]),
		SystemID:      binary.BigEndian.Uint16(b[2:4]),
		LibrarySize:   binary.BigEndian.Uint16(b[4:6]),
		SecurityLevel: binary.BigEndian.Uint16(b[6:8]),
		Address:       binary.BigEndian.Uint32(b[8:12]),
		PacketSize:    32 << code,
		Baud:          9600 * int(binary.BigEndian.Uint16(b[14:16])),
	}, nil
}

// EncodeSysPara is the inverse of the decoder, for the emulator.
func EncodeSysPara(p SysPara) []byte {
	code, _ := PacketSizeCode(p.PacketSize)
	b := make([]byte, 0, sysParaLen)
	b = binary.BigEndian.AppendUint16(b, p.Status)
	b = binary.BigEndian.AppendUint16(b, p.SystemID)
	b = binary.BigEndian.AppendUint16(b, p.LibrarySize)
	b = binary.BigEndian.AppendUint16(b, p.SecurityLevel)
	b = binary.BigEndian.AppendUint32(b, p.Address)
	b = binary.BigEndian.AppendUint16(b, uint16(code))
	return binary.BigEndian.AppendUint16(b, uint16(p.Baud/9600))
}

// ProdInfo is the R503's ReadProdInfo answer (46 bytes): strings are ASCII
// padded with NULs, numbers big-endian.
type ProdInfo struct {
	Model        string // module type, e.g. "R503"
	Batch        string
	Serial       string
	HWVersion    [2]byte // major, minor
	SensorModel  string
	Width        int // sensor image width, pixels
	Height       int
	TemplateSize int
	LibrarySize  int
}

// prodInfoLen is the length of ReadProdInfo's parameters.
const prodInfoLen = 46

func decodeProdInfo(b []byte) (ProdInfo, error) {
	if len(b) < prodInfoLen {
		return ProdInfo{}, fmt.Errorf("ReadProdInfo: %d parameter bytes, want %d: %w", len(b), prodInfoLen, ErrProtocol)
	}
	p := ProdInfo{
		Model:        cstr(b[0:16]),
		Batch:        cstr(b[16:20]),
		Serial:       cstr(b[20:28]),
		HWVersion:    [2]byte{b[28], b[29]},
		SensorModel:  cstr(b[30:38]),
		Width:        int(binary.BigEndian.Uint16(b[38:40])),
		Height:       int(binary.BigEndian.Uint16(b[40:42])),
		TemplateSize: int(binary.BigEndian.Uint16(b[42:44])),
		LibrarySize:  int(binary.BigEndian.Uint16(b[44:46])),
	}
	if p.Width <= 0 || p.Height <= 0 || p.Width > 1024 || p.Height > 1024 || p.Width%2 != 0 {
		return ProdInfo{}, fmt.Errorf("ReadProdInfo: image geometry %dx%d: %w", p.Width, p.Height, ErrProtocol)
	}
	return p, nil
}

// EncodeProdInfo is the inverse of the decoder, for the emulator.
func EncodeProdInfo(p ProdInfo) []byte {
	b := make([]byte, 0, prodInfoLen)
	b = appendPadded(b, p.Model, 16)
	b = appendPadded(b, p.Batch, 4)
	b = appendPadded(b, p.Serial, 8)
	b = append(b, p.HWVersion[:]...)
	b = appendPadded(b, p.SensorModel, 8)
	for _, v := range []int{p.Width, p.Height, p.TemplateSize, p.LibrarySize} {
		b = binary.BigEndian.AppendUint16(b, uint16(v))
	}
	return b
}

func appendPadded(b []byte, s string, n int) []byte {
	f := make([]byte, n)
	copy(f, s)
	return append(b, f...)
}

// cstr trims NUL padding and anything non-printable.
func cstr(b []byte) string {
	s := strings.TrimRight(string(b), "\x00 ")
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7E {
			return -1
		}
		return r
	}, s)
}

// LED control codes and colours of AuraLedConfig (R503 manual).
const (
	LEDBreathing byte = 0x01
	LEDFlashing  byte = 0x02
	LEDOn        byte = 0x03
	LEDOff       byte = 0x04
	LEDFadeIn    byte = 0x05
	LEDFadeOut   byte = 0x06

	LEDRed    byte = 0x01
	LEDBlue   byte = 0x02
	LEDPurple byte = 0x03
)
