package ansinist

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

func sample(imageLen int) *Record {
	return &Record{
		Header: Header{
			IDC: 1, Impression: 0, Agency: "MXMUN0001", CaptureDate: time.Date(2026, 3, 14, 0, 0, 0, 0, time.UTC),
			Width: 256, Height: 288, PPI: 500, Compression: CompressionWSQ, BitsPerPixel: 8, Position: 7,
		},
		Image: bytes.Repeat([]byte{0xFF, 0xA0, 0x1C, 0x1D}, imageLen/4),
	}
}

func TestLayout(t *testing.T) {
	r := sample(4)
	buf := make([]byte, r.Len(len(r.Image)))
	if _, err := r.MarshalTo(buf); err != nil {
		t.Fatal(err)
	}
	want := "14.001:159\x1d14.002:01\x1d14.003:0\x1d14.004:MXMUN0001\x1d14.005:20260314\x1d14.006:256\x1d" +
		"14.007:288\x1d14.008:1\x1d14.009:500\x1d14.010:500\x1d14.011:WSQ20\x1d14.012:8\x1d14.013:7\x1d" +
		"14.999:\xff\xa0\x1c\x1d\x1c"
	if string(buf) != want {
		t.Fatalf("record\n got %q\nwant %q", buf, want)
	}
}

// TestLengthDigits: the length field counts its own digits, including when
// the total crosses a power of ten.
func TestLengthDigits(t *testing.T) {
	base := sample(0).HeaderLen(0)
	for n := 0; n < 12000; n += 1 + n/7 {
		r := sample(0)
		r.Image = make([]byte, n)
		total := r.Len(n)
		buf := make([]byte, total)
		if _, err := r.MarshalTo(buf); err != nil {
			t.Fatal(err)
		}
		got, err := Parse(buf)
		if err != nil {
			t.Fatalf("image %d bytes (record %d, header %d): %v", n, total, base, err)
		}
		if len(got.Image) != n {
			t.Fatalf("image %d bytes came back as %d", n, len(got.Image))
		}
	}
}

func TestRoundTripInPlace(t *testing.T) {
	r := sample(4000)
	n := r.Len(len(r.Image))
	buf := make([]byte, n)
	if err := r.PutHeader(buf, len(r.Image)); err != nil {
		t.Fatal(err)
	}
	copy(buf[r.HeaderLen(len(r.Image)):], r.Image) // as a WSQ encoder would, in place
	got, err := Parse(buf)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, r) {
		t.Fatalf("parsed %+v\nwant %+v", got.Header, r.Header)
	}
	if &got.Image[0] != &buf[r.HeaderLen(len(r.Image))] {
		t.Error("image does not alias the input")
	}
}

func TestValidate(t *testing.T) {
	bad := []func(h *Header){
		func(h *Header) { h.IDC = 100 },
		func(h *Header) { h.Agency = "" },
		func(h *Header) { h.Agency = "a\x1db" },
		func(h *Header) { h.CaptureDate = time.Time{} },
		func(h *Header) { h.Width = 0 },
		func(h *Header) { h.PPI = 0 },
		func(h *Header) { h.Compression = "W" },
		func(h *Header) { h.Position = 11 },
	}
	for i, mutate := range bad {
		r := sample(8)
		mutate(&r.Header)
		if _, err := r.MarshalTo(make([]byte, r.Len(8))); err == nil {
			t.Errorf("case %d: invalid header written", i)
		}
	}
}

func TestParseRejects(t *testing.T) {
	r := sample(8)
	good := make([]byte, r.Len(8))
	if _, err := r.MarshalTo(good); err != nil {
		t.Fatal(err)
	}
	cases := map[string][]byte{
		"empty":       nil,
		"not type 14": []byte("1.001:20\x1d1.002:0300\x1c"),
		"short":       good[:len(good)-1],
		"no FS":       append(append([]byte(nil), good[:len(good)-1]...), 'x'),
		"missing 013": []byte(strings.Replace(string(good), "\x1d14.013:7", "", 1)),
		"bad number":  []byte(strings.Replace(string(good), "14.006:256", "14.006:2x6", 1)),
		"bad date":    []byte(strings.Replace(string(good), "20260314", "20261314", 1)),
		"repeated":    []byte(strings.Replace(string(good), "14.007:288", "14.006:288", 1)),
	}
	for name, b := range cases {
		if _, err := Parse(b); !errors.Is(err, ErrFormat) {
			t.Errorf("%s: err = %v, want ErrFormat", name, err)
		}
	}
}

func FuzzParse(f *testing.F) {
	r := sample(16)
	good := make([]byte, r.Len(16))
	if _, err := r.MarshalTo(good); err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add([]byte("14.001:9\x1d14.999:\x1c"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rec, err := Parse(data)
		if err != nil {
			return
		}
		if len(rec.Image) > len(data) {
			t.Fatal("image longer than the input")
		}
		if rec.Validate() != nil || rec.CaptureDate.Hour() != 0 {
			return
		}
		out := make([]byte, rec.Len(len(rec.Image)))
		if _, err := rec.MarshalTo(out); err != nil {
			t.Fatal(err)
		}
		again, err := Parse(out)
		if err != nil || !reflect.DeepEqual(again.Header, rec.Header) || !bytes.Equal(again.Image, rec.Image) {
			t.Fatalf("re-parse differs: %v", err)
		}
	})
}
