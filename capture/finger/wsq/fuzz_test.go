package wsq

import (
	"os"
	"testing"

	"github.com/ventanilla-mx/ventanilla/capture/finger/fingergen"
)

// fuzzMaxPixels keeps each fuzz input cheap; the bound itself is what the
// target checks.
const fuzzMaxPixels = 1 << 18

func FuzzDecode(f *testing.F) {
	small, err := Encode(fingergen.Print(1, 0, 128, 136), nil)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(small)
	f.Add(small[:len(small)/3])
	f.Add([]byte{0xFF, 0xA0, 0xFF, 0xA1})
	f.Add([]byte{0xFF, 0xA0, 0xFF, 0xA2, 0x00, 0x11, 0, 255, 0xFF, 0xFF, 0xFF, 0xFF, 2, 0, 44, 2, 0, 44, 2, 0, 0})
	if ref, err := os.ReadFile(os.Getenv("VENTANILLA_SHARED_DATA") + "/fingerprints/sourceafis/wsq-original.wsq"); err == nil {
		f.Add(ref[:4096]) // headers and the start of block 1
	}
	dec := NewDecoder(&DecodeOptions{MaxPixels: fuzzMaxPixels})
	f.Fuzz(func(t *testing.T, data []byte) {
		allocated := 0
		img, info, err := dec.Decode(data, func(n int) ([]byte, error) {
			allocated += n
			return make([]byte, n), nil
		})
		if allocated > fuzzMaxPixels {
			t.Fatalf("allocated %d bytes for a %dx%d frame", allocated, info.Width, info.Height)
		}
		if err != nil {
			if img != nil {
				t.Fatal("image returned with an error")
			}
			return
		}
		if img.Rect.Dx() != info.Width || img.Rect.Dy() != info.Height || len(img.Pix) != info.Width*info.Height {
			t.Fatalf("image %v does not match info %+v", img.Rect, info)
		}
	})
}
