package sim

import (
	"strings"
	"testing"

	fp "github.com/ventanilla-mx/ventanilla/drivers/fingerprint"
)

func cmdFrame(payload ...byte) fp.Frame {
	return fp.Frame{Addr: fp.DefaultAddress, PID: fp.PIDCommand, Payload: payload}
}

func code(t *testing.T, r Response) byte {
	t.Helper()
	if len(r.Frames) == 0 || r.Frames[0].PID != fp.PIDAck {
		t.Fatalf("no acknowledge in %+v", r)
	}
	return r.Frames[0].Payload[0]
}

func TestDevicePasswordGate(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Password = 7
	d, err := NewDevice(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if c := code(t, d.Handle(cmdFrame(fp.InsGenImg))); c != 0x21 {
		t.Fatalf("GenImg before VfyPwd answered 0x%02x, want 0x21", c)
	}
	if c := code(t, d.Handle(cmdFrame(fp.InsVfyPwd, 0, 0, 0, 6))); c != 0x13 {
		t.Fatalf("wrong password answered 0x%02x", c)
	}
	if c := code(t, d.Handle(cmdFrame(fp.InsVfyPwd, 0, 0, 0, 7))); c != 0 {
		t.Fatalf("right password answered 0x%02x", c)
	}
	if r := d.Handle(fp.Frame{Addr: 1, PID: fp.PIDCommand, Payload: []byte{fp.InsGenImg}}); len(r.Frames) != 0 {
		t.Fatal("answered a frame for another address")
	}
}

// TestDeviceUpImage checks the packetisation at every packet size: the
// right number of packets, the last one 0x08, the 4-bit packing.
func TestDeviceUpImage(t *testing.T) {
	for _, size := range []int{32, 64, 128, 256} {
		cfg := DefaultConfig()
		cfg.PacketSize = size
		d, _ := NewDevice(cfg)
		if c := code(t, d.Handle(cmdFrame(fp.InsUpImage))); c != 0x15 {
			t.Fatalf("upload with an empty buffer answered 0x%02x", c)
		}
		img := make([]byte, 256*288)
		for i := range img {
			img[i] = byte(i % 251)
		}
		d.Place(img)
		if c := code(t, d.Handle(cmdFrame(fp.InsGenImg))); c != 0 {
			t.Fatalf("GenImg with a finger: 0x%02x", c)
		}
		r := d.Handle(cmdFrame(fp.InsUpImage))
		data := r.Frames[1:]
		if len(data) != 36864/size || data[len(data)-1].PID != fp.PIDEnd || data[0].PID != fp.PIDData {
			t.Fatalf("size %d: %d packets", size, len(data))
		}
		if b := data[0].Payload[0]; b != img[0]&0xF0|img[1]>>4 {
			t.Fatalf("first byte 0x%02x", b)
		}
	}
}

func TestDeviceSetSysPara(t *testing.T) {
	d, _ := NewDevice(DefaultConfig())
	r := d.Handle(cmdFrame(fp.InsSetSysPara, fp.ParamBaud, 12))
	if code(t, r) != 0 || r.NewBaud != 115200 || d.Config().Baud != 115200 {
		t.Fatalf("baud change: %+v %+v", r, d.Config())
	}
	if c := code(t, d.Handle(cmdFrame(fp.InsSetSysPara, fp.ParamPacketSize, 4))); c != 0x1B {
		t.Fatalf("bad packet size code answered 0x%02x", c)
	}
	if c := code(t, d.Handle(cmdFrame(fp.InsSetSysPara, 9, 1))); c != 0x1A {
		t.Fatalf("bad register answered 0x%02x", c)
	}
	if c := code(t, d.Handle(cmdFrame(fp.InsReadProdInfo))); c != 0x01 {
		t.Fatalf("R307 answered ReadProdInfo with 0x%02x, want 0x01", c)
	}
}

func TestFaultsApplyToTheirFrame(t *testing.T) {
	armed := []Fault{{Kind: FaultDrop, Frame: 5, Times: 1}, {Kind: FaultGarbage, N: 3, Times: 1}}
	fs := takeFaults(&armed, 1) // a lone acknowledge: only the garbage applies
	if len(fs) != 1 || fs[0].Kind != FaultGarbage || len(armed) != 1 {
		t.Fatalf("took %v, left %v", fs, armed)
	}
	fs = takeFaults(&armed, 10)
	if !fs.has(FaultDrop, 5) || len(armed) != 0 {
		t.Fatalf("took %v, left %v", fs, armed)
	}
	if fs.mangle(5, []byte{1, 2, 3}) != nil {
		t.Fatal("dropped frame was sent")
	}
}

func TestControllerErrors(t *testing.T) {
	d, _ := NewDevice(DefaultConfig())
	p, err := NewPTY(d, PTYOpts{Unpaced: true})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	c := NewController(p, 1)
	for _, bad := range []string{"BAUD", "BAUD 12345", "ERROR", "ERROR 0x1FF", "GARBAGE", "DELAY", "DELAY soon", "FINGER seed:x", "FINGER /nonexistent.png", "NOPE"} {
		if _, err := c.Exec(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	out, err := c.Exec("status")
	if err != nil || !strings.Contains(out, "plugged=true") {
		t.Fatalf("status %q, %v", out, err)
	}
	if _, err := c.Exec("UNPLUG"); err != nil {
		t.Fatal(err)
	}
	if err := p.SendPowerOn(); err == nil {
		t.Fatal("power-on byte sent while unplugged")
	}
}

// TestDeviceAutoFinger: with AUTO the finger arrives on the Nth empty poll
// and leaves after its image is uploaded, so the next capture waits again.
func TestDeviceAutoFinger(t *testing.T) {
	d, err := NewDevice(DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	impressions := 0
	d.SetAuto(3, func() []byte { impressions++; return d.Synthetic(1, impressions) })
	for round := 1; round <= 2; round++ {
		for poll := 1; poll <= 2; poll++ {
			if c := code(t, d.Handle(cmdFrame(fp.InsGenImg))); c != 0x02 {
				t.Fatalf("round %d poll %d: 0x%02x, want no finger", round, poll, c)
			}
		}
		if c := code(t, d.Handle(cmdFrame(fp.InsGenImg))); c != 0 || !d.FingerOn() {
			t.Fatalf("round %d: third poll 0x%02x, finger on %v", round, c, d.FingerOn())
		}
		if r := d.Handle(cmdFrame(fp.InsUpImage)); len(r.Frames) < 2 || d.FingerOn() {
			t.Fatalf("round %d: upload %d frames, finger still on %v", round, len(r.Frames), d.FingerOn())
		}
	}
	if impressions != 2 {
		t.Fatalf("%d impressions placed, want 2", impressions)
	}
	d.SetAuto(0, nil)
	for range 5 {
		if c := code(t, d.Handle(cmdFrame(fp.InsGenImg))); c != 0x02 {
			t.Fatal("AUTO OFF still placed a finger")
		}
	}
}
