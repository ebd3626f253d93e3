package iso19794

import (
	"bytes"
	"encoding/hex"
	"errors"
	"reflect"
	"testing"
)

func sampleRecord() *Record {
	return &Record{
		Header: Header{
			CaptureDevice: 0x0307, AcquisitionLevel: Level500ppi, ScaleUnits: PixelsPerInch,
			ScanPPIX: 500, ScanPPIY: 500, ImagePPIX: 500, ImagePPIY: 500,
			PixelDepth: 8, Compression: WSQ,
		},
		Views: []View{{
			Position: LeftIndex, ViewCount: 1, ViewNumber: 1, Quality: 73,
			Impression: LivePlain, Width: 256, Height: 288,
			Image: []byte{0xFF, 0xA0, 0xFF, 0xA1},
		}},
	}
}

// TestMarshalLayout pins the byte layout of a one-view record.
func TestMarshalLayout(t *testing.T) {
	r := sampleRecord()
	buf := make([]byte, r.Len())
	n, err := r.MarshalTo(buf)
	if err != nil || n != 50 {
		t.Fatalf("MarshalTo = %d, %v", n, err)
	}
	// general header: FIR\0 010\0, length 50 (6 bytes), device 0x0307, level 31,
	// 1 view, ppi units, 500 ppi x4, 8 bits, WSQ, reserved.
	want := "46495200" + "30313000" + "000000000032" + "0307" + "001f" + "01" + "01" +
		"01f4" + "01f4" + "01f4" + "01f4" + "08" + "02" + "0000" +
		"00000012" + "07" + "01" + "01" + "49" + "00" + "0100" + "0120" + "00" + "ffa0ffa1"
	if got := hex.EncodeToString(buf); got != want {
		t.Fatalf("record\n got %s\nwant %s", got, want)
	}
}

func TestRoundTrip(t *testing.T) {
	r := sampleRecord()
	r.Views = append(r.Views, View{
		Position: RightThumb, ViewCount: 2, ViewNumber: 2, Quality: 0,
		Impression: LiveRolled, Width: 300, Height: 400, Image: bytes.Repeat([]byte{7}, 1000),
	})
	r.Views[0].ViewCount = 2
	buf := make([]byte, r.Len())
	if _, err := r.MarshalTo(buf); err != nil {
		t.Fatal(err)
	}
	got, err := Parse(buf)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, r) {
		t.Fatalf("parsed %+v\nwant %+v", got, r)
	}
	if &got.Views[1].Image[0] != &buf[r.Len()-1000] {
		t.Error("parsed image does not alias the input")
	}
}

func TestValidate(t *testing.T) {
	bad := []func(r *Record){
		func(r *Record) { r.Views = nil },
		func(r *Record) { r.ScaleUnits = 3 },
		func(r *Record) { r.PixelDepth = 0 },
		func(r *Record) { r.Compression = 6 },
		func(r *Record) { r.ImagePPIX = 0 },
		func(r *Record) { r.Views[0].Position = 13 },
		func(r *Record) { r.Views[0].Quality = 101 },
		func(r *Record) { r.Views[0].ViewNumber = 2 },
		func(r *Record) { r.Views[0].Width = 0 },
	}
	for i, mutate := range bad {
		r := sampleRecord()
		mutate(r)
		if _, err := r.MarshalTo(make([]byte, r.Len())); err == nil {
			t.Errorf("case %d: invalid record written", i)
		}
	}
	r := sampleRecord()
	if _, err := r.MarshalTo(make([]byte, r.Len()+1)); err == nil {
		t.Error("oversized destination accepted")
	}
}

func TestParseRejects(t *testing.T) {
	r := sampleRecord()
	good := make([]byte, r.Len())
	if _, err := r.MarshalTo(good); err != nil {
		t.Fatal(err)
	}
	mutations := map[string]func([]byte) []byte{
		"short":          func(b []byte) []byte { return b[:20] },
		"magic":          func(b []byte) []byte { b[0] = 'X'; return b },
		"version":        func(b []byte) []byte { b[5] = '2'; return b },
		"length":         func(b []byte) []byte { b[13]++; return b },
		"no views":       func(b []byte) []byte { b[18] = 0; return b },
		"two views":      func(b []byte) []byte { b[18] = 2; return b },
		"view too long":  func(b []byte) []byte { b[35] = 0xFF; return b },
		"view too short": func(b []byte) []byte { b[35] = 13; return b },
		"trailing": func(b []byte) []byte {
			b = append(b, 0)
			b[13]++
			return b
		},
	}
	for name, m := range mutations {
		b := m(append([]byte(nil), good...))
		if _, err := Parse(b); !errors.Is(err, ErrFormat) {
			t.Errorf("%s: err = %v, want ErrFormat", name, err)
		}
	}
}

func FuzzParse(f *testing.F) {
	r := sampleRecord()
	good := make([]byte, r.Len())
	if _, err := r.MarshalTo(good); err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add(good[:HeaderLen])
	f.Add([]byte("FIR\x00010\x00\x00\x00\x00\x00\x00\x20"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rec, err := Parse(data)
		if err != nil {
			return
		}
		if rec.Len() != len(data) || len(rec.Views) == 0 || len(rec.Views) > 255 {
			t.Fatalf("parsed %d views, length %d, from %d bytes", len(rec.Views), rec.Len(), len(data))
		}
		if rec.Validate() != nil {
			return
		}
		out := make([]byte, rec.Len())
		if _, err := rec.MarshalTo(out); err != nil {
			t.Fatal(err)
		}
		again, err := Parse(out)
		if err != nil || !reflect.DeepEqual(again, rec) {
			t.Fatalf("re-parse differs: %v", err)
		}
	})
}

// TestRawRoundTrip: a raw record reads back with its pixels, size and
// position; a size that does not match the pixels is refused.
func TestRawRoundTrip(t *testing.T) {
	pix := make([]byte, 40*30)
	for i := range pix {
		pix[i] = byte(i * 7)
	}
	rec, err := Raw(pix, 40, 30, RightMiddle)
	if err != nil {
		t.Fatal(err)
	}
	r, err := Parse(rec)
	if err != nil {
		t.Fatal(err)
	}
	v := r.Views[0]
	if len(r.Views) != 1 || v.Width != 40 || v.Height != 30 || v.Position != RightMiddle ||
		r.PixelDepth != 8 || r.Compression != Uncompressed || r.ImagePPIX != 500 || !bytes.Equal(v.Image, pix) {
		t.Fatalf("read back %+v", r.Header)
	}
	if _, err := Raw(pix, 41, 30, RightMiddle); err == nil {
		t.Fatal("a size that does not match the pixels was accepted")
	}
}
