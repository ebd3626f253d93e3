package sim

import (
	"encoding/binary"
	"fmt"
	"sync"

	fp "github.com/ventanilla-mx/ventanilla/drivers/fingerprint"
)

// Model selects the emulated module.
type Model string

const (
	R307 Model = "R307" // 256x288, no R503 extras (also stands for AS608, ZFM-20)
	R503 Model = "R503" // 192x192, GetImageEx, AuraLedConfig, ReadProdInfo, HandShake, power-up 0x55
)

// Config is the emulated module's factory state.
type Config struct {
	Model      Model
	Address    uint32
	Password   uint32
	Baud       int // the module's line rate
	PacketSize int // data packet payload, bytes
}

// DefaultConfig is a factory R307.
func DefaultConfig() Config {
	return Config{Model: R307, Address: fp.DefaultAddress, Baud: 57600, PacketSize: 128}
}

// Device is the module's protocol engine, free of any I/O: it turns a
// command frame into response frames. The PTY feeds it.
type Device struct {
	mu       sync.Mutex
	cfg      Config
	finger   []byte // image of the finger on the sensor, nil when lifted
	imageBuf []byte // ImageBuffer: filled by GenImg
	pwdOK    bool
	forced   []byte // confirmation codes to answer the next commands with
	led      [4]byte
	commands uint64

	// auto places a finger by itself after autoPolls empty GenImg polls and
	// lifts it once its image is uploaded: a citizen who follows the
	// prompts, for demos and end-to-end tests (libfprint's virtual devices
	// offer the same).
	autoPolls  int
	emptyPolls int
	autoSource func() []byte
}

// NewDevice returns a powered module with cfg.
func NewDevice(cfg Config) (*Device, error) {
	if cfg.Model != R307 && cfg.Model != R503 {
		return nil, fmt.Errorf("sim: unknown model %q (R307 or R503)", cfg.Model)
	}
	if _, err := fp.BaudCode(cfg.Baud); err != nil {
		return nil, err
	}
	if _, err := fp.PacketSizeCode(cfg.PacketSize); err != nil {
		return nil, err
	}
	return &Device{cfg: cfg}, nil
}

// Geometry returns the image size of the model.
func (d *Device) Geometry() (w, h int) {
	if d.cfg.Model == R503 {
		return 192, 192
	}
	return fp.DefaultWidth, fp.DefaultHeight
}

// Config returns the module's current settings.
func (d *Device) Config() Config {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.cfg
}

// SetBaud changes the module's line rate behind the host's back (a module
// configured elsewhere): the wrong-baud fault.
func (d *Device) SetBaud(baud int) error {
	if _, err := fp.BaudCode(baud); err != nil {
		return err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.cfg.Baud = baud
	return nil
}

// Place puts a finger on the sensor; img is 8-bit grayscale of the model's
// geometry and is copied.
func (d *Device) Place(img []byte) error {
	w, h := d.Geometry()
	if len(img) != w*h {
		return fmt.Errorf("sim: finger image of %d bytes, want %dx%d", len(img), w, h)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	clear(d.finger)
	d.finger = append([]byte(nil), img...)
	return nil
}

// Lift removes the finger.
func (d *Device) Lift() {
	d.mu.Lock()
	defer d.mu.Unlock()
	clear(d.finger)
	d.finger = nil
}

// FingerOn reports whether a finger is on the sensor.
func (d *Device) FingerOn() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.finger != nil
}

// ForceCode makes the next n commands answer with confirmation code c
// (libfprint's ERROR): 0x01 receive error, 0x03 capture failed, ...
func (d *Device) ForceCode(c byte, n int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for range n {
		d.forced = append(d.forced, c)
	}
}

// PowerCycle resets the volatile state: the image buffer and password
// verification are lost, the finger stays where it is.
func (d *Device) PowerCycle() {
	d.mu.Lock()
	defer d.mu.Unlock()
	clear(d.imageBuf)
	d.imageBuf, d.pwdOK, d.forced = nil, false, nil
}

// Response is what the module sends back for one command.
type Response struct {
	Frames  []fp.Frame
	NewBaud int // non-zero: switch to this rate after sending
}

// Handle executes one frame received from the host. Frames for another
// address or that are not commands get no answer, like the real module.
func (d *Device) Handle(f fp.Frame) Response {
	d.mu.Lock()
	defer d.mu.Unlock()
	if f.Addr != d.cfg.Address || f.PID != fp.PIDCommand {
		return Response{}
	}
	d.commands++
	ins, params := f.Payload[0], f.Payload[1:]
	if len(d.forced) > 0 {
		c := d.forced[0]
		d.forced = d.forced[1:]
		return d.ack(c)
	}
	if d.cfg.Password != 0 && !d.pwdOK && ins != fp.InsVfyPwd {
		return d.ack(0x21)
	}
	return d.dispatch(ins, params)
}

func (d *Device) dispatch(ins byte, params []byte) Response {
	switch ins {
	case fp.InsVfyPwd:
		return d.vfyPwd(params)
	case fp.InsReadSysPara:
		return d.ack(0, fp.EncodeSysPara(d.sysPara())...)
	case fp.InsSetSysPara:
		return d.setSysPara(params)
	case fp.InsGenImg:
		return d.genImg()
	case fp.InsUpImage:
		return d.upImage()
	}
	if d.cfg.Model == R503 {
		return d.dispatchR503(ins, params)
	}
	// Older firmware has no "unsupported" code; it reports a receive error.
	return d.ack(0x01)
}

func (d *Device) dispatchR503(ins byte, params []byte) Response {
	switch ins {
	case fp.InsGetImageEx:
		return d.genImg()
	case fp.InsHandShake:
		return d.ack(0)
	case fp.InsReadProdInfo:
		return d.ack(0, fp.EncodeProdInfo(fp.ProdInfo{
			Model: "R503", Batch: "0001", Serial: "SIM00001", HWVersion: [2]byte{1, 2},
			SensorModel: "SIM192", Width: 192, Height: 192, TemplateSize: 1536, LibrarySize: 200,
		})...)
	case fp.InsAuraLedConfig:
		if len(params) < 4 {
			return d.ack(0x01)
		}
		copy(d.led[:], params)
		return d.ack(0)
	}
	return d.ack(0xFC)
}

func (d *Device) ack(code byte, params ...byte) Response {
	payload := append([]byte{code}, params...)
	return Response{Frames: []fp.Frame{{Addr: d.cfg.Address, PID: fp.PIDAck, Payload: payload}}}
}

func (d *Device) vfyPwd(params []byte) Response {
	if len(params) != 4 {
		return d.ack(0x01)
	}
	if binary.BigEndian.Uint32(params) != d.cfg.Password {
		return d.ack(0x13)
	}
	d.pwdOK = true
	return d.ack(0)
}

func (d *Device) sysPara() fp.SysPara {
	var status uint16
	if d.pwdOK {
		status |= 1 << 2
	}
	if d.imageBuf != nil {
		status |= 1 << 3
	}
	lib := uint16(1000)
	if d.cfg.Model == R503 {
		lib = 200
	}
	return fp.SysPara{Status: status, SystemID: 0x0009, LibrarySize: lib, SecurityLevel: 3,
		Address: d.cfg.Address, PacketSize: d.cfg.PacketSize, Baud: d.cfg.Baud}
}

func (d *Device) setSysPara(params []byte) Response {
	if len(params) != 2 {
		return d.ack(0x01)
	}
	switch params[0] {
	case fp.ParamBaud:
		if params[1] < 1 || params[1] > 12 {
			return d.ack(0x1B)
		}
		r := d.ack(0)
		r.NewBaud = 9600 * int(params[1])
		d.cfg.Baud = r.NewBaud
		return r
	case fp.ParamPacketSize:
		if params[1] > 3 {
			return d.ack(0x1B)
		}
		d.cfg.PacketSize = 32 << params[1]
		return d.ack(0)
	case fp.ParamSecurity:
		return d.ack(0)
	}
	return d.ack(0x1A)
}

// SetAuto makes the module place a finger from src on the polls-th empty
// GenImg poll and lift it after the upload; polls <= 0 turns it off.
func (d *Device) SetAuto(polls int, src func() []byte) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.autoPolls, d.emptyPolls, d.autoSource = polls, 0, src
}

func (d *Device) genImg() Response {
	if d.finger == nil && d.autoPolls > 0 {
		if d.emptyPolls++; d.emptyPolls >= d.autoPolls {
			d.finger, d.emptyPolls = d.autoSource(), 0
		}
	}
	if d.finger == nil {
		return d.ack(0x02)
	}
	clear(d.imageBuf)
	d.imageBuf = append(d.imageBuf[:0], d.finger...)
	return d.ack(0)
}

// upImage answers with the acknowledge and the image buffer as 4-bit data
// packets of the configured size, the last one with packet id 0x08.
func (d *Device) upImage() Response {
	if d.imageBuf == nil {
		return d.ack(0x15)
	}
	packed := make([]byte, len(d.imageBuf)/2)
	fp.Pack4(packed, d.imageBuf)
	r := d.ack(0)
	for off := 0; off < len(packed); off += d.cfg.PacketSize {
		end := min(off+d.cfg.PacketSize, len(packed))
		pid := fp.PIDData
		if end == len(packed) {
			pid = fp.PIDEnd
		}
		r.Frames = append(r.Frames, fp.Frame{Addr: d.cfg.Address, PID: pid, Payload: packed[off:end]})
	}
	if d.autoPolls > 0 { // the citizen lifts the finger once it is read
		clear(d.finger)
		d.finger = nil
	}
	return r
}

// ReceiveError is the answer to a command frame that arrived corrupted.
func (d *Device) ReceiveError() Response {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.ack(0x01)
}
