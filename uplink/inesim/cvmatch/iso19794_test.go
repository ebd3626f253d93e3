//go:build cvmatch

package cvmatch

import (
	"bytes"
	"testing"
)

func TestISO19794RoundTrip(t *testing.T) {
	pix := ridges(40, 30, 20, 15, 6, 1)
	rec, err := EncodeISO19794Raw(pix, 40, 30, 7)
	if err != nil {
		t.Fatal(err)
	}
	img, err := parseISO19794(rec)
	if err != nil {
		t.Fatal(err)
	}
	if img.width != 40 || img.height != 30 || img.position != 7 || img.compression != isoUncompressed || !bytes.Equal(img.data, pix) {
		t.Fatalf("parsed %+v", img)
	}
	for name, bad := range map[string][]byte{
		"short":     rec[:40],
		"truncated": rec[:len(rec)-1],
		"magic":     append([]byte("FIX\x00"), rec[4:]...),
	} {
		if _, err := parseISO19794(bad); err == nil {
			t.Errorf("%s accepted", name)
		}
	}
	if _, err := EncodeISO19794Raw(pix, 41, 30, 7); err == nil {
		t.Error("size mismatch accepted")
	}
}

func FuzzParseISO19794(f *testing.F) {
	rec, _ := EncodeISO19794Raw(ridges(16, 16, 8, 8, 4, 1), 16, 16, 2)
	f.Add(rec)
	f.Add(rec[:50])
	f.Add([]byte("FIR\x00010\x00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		img, err := parseISO19794(b)
		if err != nil {
			return
		}
		if img.compression == isoUncompressed && len(img.data) != img.width*img.height {
			t.Fatal("pixel count does not match the declared size")
		}
	})
}
