package scannertest

// Packet is one packet as a module's datasheet prints it, byte for byte on
// the wire, with the fields a decoder must find in it.
type Packet struct {
	Name    string
	Wire    []byte // header EF01, address, packet id, length, payload, checksum
	Addr    uint32
	PID     byte
	Payload []byte
	// Printed: the datasheet prints every byte, checksum included. Otherwise
	// it prints the fields and the checksum rule (the sum of packet id,
	// length and payload), and the checksum here was worked by hand from
	// that rule, not by this module's code.
	Printed bool
}

// Datasheet holds the packets of the R30x/ZFM protocol that the driver and
// the emulator exchange, typed in as literal bytes from the public
// manuals, so that an encoder or decoder shared by both sides cannot agree
// with itself on a wrong byte. Sources (facts only; see docs/scanner.md):
//
//   - ZFM-70 Series Fingerprint Identification Module User Manual
//     (Hangzhou Zhian Technologies, v1.0), §5.3 "Instruction
//     Decomposition", which prints a whole GenImg exchange, and §6;
//     reproduced in the Velleman VMA329 manual,
//     https://manualshive.com/en/manual/velleman/vma329/860857?page=26
//   - R503 Fingerprint Module User Manual (Hangzhou Grow, v1.2.2, 2022),
//     "Fingerprint-processing instructions" (GenImg, UpImage, HandShake
//     field layouts), https://manualshive.com/en/manual/grow/r503/2270381?page=20
//
// Factory address FF FF FF FF and password 00 00 00 00 are from the same
// manuals (ZFM-70 §4.5).
var Datasheet = []Packet{
	{Name: "GenImg", Printed: true, Addr: 0xFFFFFFFF, PID: 0x01, Payload: []byte{0x01},
		Wire: []byte{0xEF, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0x01, 0x00, 0x03, 0x01, 0x00, 0x05}},
	{Name: "GenImg ack: no finger", Printed: true, Addr: 0xFFFFFFFF, PID: 0x07, Payload: []byte{0x02},
		Wire: []byte{0xEF, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0x07, 0x00, 0x03, 0x02, 0x00, 0x0C}},
	{Name: "ack: success", Addr: 0xFFFFFFFF, PID: 0x07, Payload: []byte{0x00},
		Wire: []byte{0xEF, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0x07, 0x00, 0x03, 0x00, 0x00, 0x0A}},
	{Name: "UpImage", Addr: 0xFFFFFFFF, PID: 0x01, Payload: []byte{0x0A},
		Wire: []byte{0xEF, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0x01, 0x00, 0x03, 0x0A, 0x00, 0x0E}},
	{Name: "UpImage ack: no valid image", Addr: 0xFFFFFFFF, PID: 0x07, Payload: []byte{0x15},
		Wire: []byte{0xEF, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0x07, 0x00, 0x03, 0x15, 0x00, 0x1F}},
	{Name: "VfyPwd, factory password", Addr: 0xFFFFFFFF, PID: 0x01, Payload: []byte{0x13, 0x00, 0x00, 0x00, 0x00},
		Wire: []byte{0xEF, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0x01, 0x00, 0x07, 0x13, 0x00, 0x00, 0x00, 0x00, 0x00, 0x1B}},
	{Name: "VfyPwd ack: wrong password", Addr: 0xFFFFFFFF, PID: 0x07, Payload: []byte{0x13},
		Wire: []byte{0xEF, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0x07, 0x00, 0x03, 0x13, 0x00, 0x1D}},
	{Name: "ReadSysPara", Addr: 0xFFFFFFFF, PID: 0x01, Payload: []byte{0x0F},
		Wire: []byte{0xEF, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0x01, 0x00, 0x03, 0x0F, 0x00, 0x13}},
	{Name: "SetSysPara baud N=12", Addr: 0xFFFFFFFF, PID: 0x01, Payload: []byte{0x0E, 0x04, 0x0C},
		Wire: []byte{0xEF, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0x01, 0x00, 0x05, 0x0E, 0x04, 0x0C, 0x00, 0x24}},
	{Name: "HandShake (R503)", Addr: 0xFFFFFFFF, PID: 0x01, Payload: []byte{0x40},
		Wire: []byte{0xEF, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0x01, 0x00, 0x03, 0x40, 0x00, 0x44}},
	{Name: "DownImage", Printed: true, Addr: 0xFFFFFFFF, PID: 0x01, Payload: []byte{0x0B},
		Wire: []byte{0xEF, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0x01, 0x00, 0x03, 0x0B, 0x00, 0x0F}},
	{Name: "TempleteNum", Printed: true, Addr: 0xFFFFFFFF, PID: 0x01, Payload: []byte{0x1D},
		Wire: []byte{0xEF, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0x01, 0x00, 0x03, 0x1D, 0x00, 0x21}},
}

// Find returns the Datasheet packet of that name; it panics on a typo.
func Find(name string) Packet {
	for _, p := range Datasheet {
		if p.Name == name {
			return p
		}
	}
	panic("scannertest: no datasheet packet " + name)
}
