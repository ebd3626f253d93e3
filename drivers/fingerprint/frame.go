package fingerprint

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
)

// Packet identifiers (datasheet §"Data package format", field PID).
const (
	PIDCommand byte = 0x01 // host -> module: an instruction
	PIDData    byte = 0x02 // data packet; more follow
	PIDAck     byte = 0x07 // module -> host: confirmation code + parameters
	PIDEnd     byte = 0x08 // last data packet of a transfer
)

// Frame layout constants.
const (
	header0 byte = 0xEF
	header1 byte = 0x01
	// HeaderLen is the fixed part before the payload: header (2),
	// address (4), packet id (1), length (2).
	HeaderLen = 9
	// Overhead is the bytes a frame adds to its payload: HeaderLen plus the
	// 2-byte checksum.
	Overhead = HeaderLen + 2
	// MaxPayload is the largest payload a module sends (packet size 256).
	MaxPayload = 256
	// MaxFrame is the largest frame on the wire.
	MaxFrame = MaxPayload + Overhead
	// DefaultAddress is the factory module address.
	DefaultAddress uint32 = 0xFFFFFFFF
)

// Frame is one packet on the wire. Payload holds the instruction and
// parameters (command), the confirmation code and return parameters (ack),
// or raw data (data/end). A decoded Frame's Payload aliases the decoder's
// buffer and is valid only until the next decode call.
type Frame struct {
	Addr    uint32
	PID     byte
	Payload []byte
}

// ErrIncomplete is returned by ParseFrame when b ends before a whole frame.
// It is not a failure: read more bytes and call again.
var ErrIncomplete = errors.New("fingerprint: incomplete frame")

// ChecksumError reports a frame whose checksum does not match its bytes:
// line noise, a baud mismatch or a wrong packet size. The frame was consumed.
type ChecksumError struct {
	PID       byte
	Got, Want uint16
}

func (e *ChecksumError) Error() string {
	return fmt.Sprintf("fingerprint: frame checksum mismatch (pid 0x%02x: got 0x%04x, computed 0x%04x): "+
		"line noise or wrong baud; check the cable and the configured baud rate", e.PID, e.Got, e.Want)
}

// Is makes errors.Is(err, ErrChecksum) true for a *ChecksumError.
func (e *ChecksumError) Is(target error) bool { return target == ErrChecksum }

// checksum is the datasheet's SUM: the arithmetic sum of the packet id, the
// two length bytes and every payload byte, truncated to 16 bits.
func checksum(pid byte, length uint16, payload []byte) uint16 {
	s := uint16(pid) + length>>8 + length&0xFF
	for _, b := range payload {
		s += uint16(b)
	}
	return s
}

// AppendFrame appends the wire encoding of f to dst. It panics if the
// payload is empty or longer than MaxPayload: that is a programming error,
// never a property of outside bytes.
func AppendFrame(dst []byte, f Frame) []byte {
	if len(f.Payload) == 0 || len(f.Payload) > MaxPayload {
		panic(fmt.Sprintf("fingerprint: frame payload of %d bytes", len(f.Payload)))
	}
	length := uint16(len(f.Payload) + 2)
	dst = append(dst, header0, header1)
	dst = binary.BigEndian.AppendUint32(dst, f.Addr)
	dst = append(dst, f.PID)
	dst = binary.BigEndian.AppendUint16(dst, length)
	dst = append(dst, f.Payload...)
	return binary.BigEndian.AppendUint16(dst, checksum(f.PID, length, f.Payload))
}

// validPID reports whether p is one of the four packet identifiers.
func validPID(p byte) bool {
	return p == PIDCommand || p == PIDData || p == PIDAck || p == PIDEnd
}

// plausibleHeader reports whether the (possibly partial) header at the start
// of b could begin a frame: 0xEF01, a known packet id, a possible length.
func plausibleHeader(b []byte) bool {
	if len(b) >= 2 && b[1] != header1 {
		return false
	}
	if len(b) >= 7 && !validPID(b[6]) {
		return false
	}
	if len(b) >= HeaderLen {
		length := int(binary.BigEndian.Uint16(b[7:9]))
		return length >= 3 && length <= MaxPayload+2
	}
	return true
}

// ParseFrame finds the first frame in b. It hunts for the 0xEF01 header,
// skipping anything before it and any header-looking bytes whose packet id
// or length is impossible, so it resynchronises after garbage.
//
// It returns the frame, the number of garbage bytes skipped, and n, the
// bytes consumed (garbage included). With ErrIncomplete, n bytes are
// certainly garbage and may be dropped; keep the rest and append more. With
// a *ChecksumError the bad frame is consumed. The returned Payload aliases b.
func ParseFrame(b []byte) (f Frame, skipped, n int, err error) {
	for {
		i := bytes.IndexByte(b[skipped:], header0)
		if i < 0 {
			return Frame{}, len(b), len(b), ErrIncomplete
		}
		skipped += i
		rest := b[skipped:]
		if !plausibleHeader(rest) {
			skipped++
			continue
		}
		if len(rest) < HeaderLen {
			return Frame{}, skipped, skipped, ErrIncomplete
		}
		length := int(binary.BigEndian.Uint16(rest[7:9]))
		if len(rest) < HeaderLen+length {
			return Frame{}, skipped, skipped, ErrIncomplete
		}
		return decodeAt(rest[:HeaderLen+length], skipped)
	}
}

// decodeAt decodes the complete frame fr found after skipped garbage bytes.
func decodeAt(fr []byte, skipped int) (Frame, int, int, error) {
	length := uint16(len(fr) - HeaderLen)
	f := Frame{
		Addr:    binary.BigEndian.Uint32(fr[2:6]),
		PID:     fr[6],
		Payload: fr[HeaderLen : len(fr)-2],
	}
	n := skipped + len(fr)
	got := binary.BigEndian.Uint16(fr[len(fr)-2:])
	if want := checksum(f.PID, length, f.Payload); got != want {
		return Frame{}, skipped, n, &ChecksumError{PID: f.PID, Got: got, Want: want}
	}
	return f, skipped, n, nil
}
