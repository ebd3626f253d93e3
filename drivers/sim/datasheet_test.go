package sim

import (
	"bytes"
	"encoding/binary"
	"io"
	"os"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/ventanilla-mx/ventanilla/drivers/fingerprint/scannertest"
)

// rawLine is the host's end of the emulator's pseudo-terminal, read and
// written byte for byte: no driver code is involved.
type rawLine struct {
	t *testing.T
	f *os.File
}

func openRaw(t *testing.T, p *PTY) *rawLine {
	t.Helper()
	f, err := os.OpenFile(p.TTY(), os.O_RDWR|unix.O_NOCTTY|unix.O_NONBLOCK, 0) // pollable: reads honour deadlines
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	if err := makeRaw(f); err != nil {
		t.Fatal(err)
	}
	return &rawLine{t: t, f: f}
}

func (l *rawLine) send(wire []byte) {
	l.t.Helper()
	if _, err := l.f.Write(wire); err != nil {
		l.t.Fatal(err)
	}
}

func (l *rawLine) read(n int) []byte {
	l.t.Helper()
	if err := l.f.SetReadDeadline(time.Now().Add(30 * time.Second)); err != nil {
		l.t.Fatal(err)
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(l.f, b); err != nil {
		l.t.Fatalf("reading %d bytes: %v (got % X)", n, err, b)
	}
	return b
}

// exchange sends a datasheet command and expects the datasheet answer,
// byte for byte.
func (l *rawLine) exchange(cmd, answer string) {
	l.t.Helper()
	want := scannertest.Find(answer).Wire
	l.send(scannertest.Find(cmd).Wire)
	if got := l.read(len(want)); !bytes.Equal(got, want) {
		l.t.Errorf("%s: emulator answered % X\ndatasheet (%s)   % X", cmd, got, answer, want)
	}
}

// TestEmulatorSpeaksTheDatasheet drives the emulator over its real
// pseudo-terminal with the manuals' literal command bytes and compares its
// answers with the manuals' literal answer bytes; the image upload is
// checked field by field (header, address, packet id, length, the 4-bit
// packing, a checksum summed here) against the image placed.
func TestEmulatorSpeaksTheDatasheet(t *testing.T) {
	d, err := NewDevice(DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	p, err := NewPTY(d, PTYOpts{Unpaced: true})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	l := openRaw(t, p)

	l.exchange("VfyPwd, factory password", "ack: success")
	l.exchange("GenImg", "GenImg ack: no finger")
	l.exchange("UpImage", "UpImage ack: no valid image")

	l.send(scannertest.Find("ReadSysPara").Wire)
	sys := l.read(9 + 1 + 16 + 2)
	// ack, length 0x0013 (confirmation + 16 parameter bytes + checksum), 00 ok;
	// packet size code 2 (128 bytes) and baud N 6 (57600): the factory settings.
	if !bytes.Equal(sys[:10], []byte{0xEF, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0x07, 0x00, 0x13, 0x00}) ||
		!bytes.Equal(sys[10+12:10+16], []byte{0x00, 0x02, 0x00, 0x06}) || !sumOK(sys) {
		t.Errorf("ReadSysPara answered % X", sys)
	}

	img := make([]byte, 256*288)
	for i := range img {
		img[i] = byte(i*7 + i/256)
	}
	d.Place(img)
	l.exchange("GenImg", "ack: success")
	l.exchange("UpImage", "ack: success")
	const packets, size = 36864 / 128, 128
	var data []byte
	for i := range packets {
		pk := l.read(9 + size + 2)
		pid := byte(0x02)
		if i == packets-1 {
			pid = 0x08
		}
		if !bytes.Equal(pk[:9], []byte{0xEF, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, pid, 0x00, 0x82}) || !sumOK(pk) {
			t.Fatalf("data packet %d: header % X, checksum ok %v", i, pk[:9], sumOK(pk))
		}
		data = append(data, pk[9:9+size]...)
	}
	for i := range data {
		if want := img[2*i]&0xF0 | img[2*i+1]>>4; data[i] != want {
			t.Fatalf("image byte %d is %02X, want %02X (left pixel in the high nibble)", i, data[i], want)
		}
	}
}

// sumOK checks a packet's checksum with the manuals' rule, summed here
// rather than by the driver's code: packet id + length + payload, 16 bits.
func sumOK(pk []byte) bool {
	var s uint16
	for _, b := range pk[6 : len(pk)-2] {
		s += uint16(b)
	}
	return binary.BigEndian.Uint16(pk[len(pk)-2:]) == s
}
