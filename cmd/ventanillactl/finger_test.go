package main

import (
	"bytes"
	"encoding/json"
	"image"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// rings draws concentric dark ridges (period 9 px, as at 500 ppi) inside an
// ellipse on a light background: enough of a print for the tools.
func rings(w, h int) *image.Gray {
	img := image.NewGray(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			dx, dy := float64(x-w/2), float64(y-h/2)
			v := 230.0
			if (dx*dx)/float64(w*w/6)+(dy*dy)/float64(h*h/6) < 1 {
				v = 125 + 90*math.Cos(2*math.Pi*math.Hypot(dx, dy*1.2)/9)
			}
			img.Pix[y*w+x] = uint8(v)
		}
	}
	return img
}

func writePNG(t testing.TB, path string, img image.Image) {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestWSQEncodeDecode(t *testing.T) {
	dir := t.TempDir()
	in, wsqFile, out := filepath.Join(dir, "in.png"), filepath.Join(dir, "f.wsq"), filepath.Join(dir, "out.png")
	writePNG(t, in, rings(256, 288))
	if code, _, stderr := runCtl(t, "wsq", "encode", in, wsqFile, "--bitrate", "1.5"); code != exitOK {
		t.Fatalf("encode: exit %d: %s", code, stderr)
	}
	code, stdout, _ := runCtl(t, "wsq", "info", wsqFile)
	if code != exitOK || !strings.Contains(stdout, "256x288") || !strings.Contains(stdout, "bitrate    1.5") {
		t.Errorf("info: exit %d:\n%s", code, stdout)
	}
	if code, _, stderr := runCtl(t, "wsq", "decode", wsqFile, out); code != exitOK {
		t.Fatalf("decode: exit %d: %s", code, stderr)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil || img.Bounds().Dx() != 256 || img.Bounds().Dy() != 288 {
		t.Fatalf("decoded PNG %v, %v", img.Bounds(), err)
	}
}

func TestFingerQuality(t *testing.T) {
	dir := t.TempDir()
	good, blank := filepath.Join(dir, "good.png"), filepath.Join(dir, "blank.png")
	writePNG(t, good, rings(256, 288))
	empty := image.NewGray(image.Rect(0, 0, 256, 288))
	for i := range empty.Pix {
		empty.Pix[i] = 230
	}
	writePNG(t, blank, empty)
	code, stdout, stderr := runCtl(t, "finger", "quality", good, "--json")
	if code != exitOK {
		t.Fatalf("good print: exit %d\n%s%s", code, stdout, stderr)
	}
	var as struct {
		Score   int
		Verdict string
		Message string `json:"message"`
	}
	if err := json.Unmarshal([]byte(stdout), &as); err != nil || as.Verdict != "accept" || as.Message == "" {
		t.Errorf("JSON %q: %+v, %v", stdout, as, err)
	}
	code, stdout, _ = runCtl(t, "finger", "quality", blank)
	if code != exitFailed || !strings.Contains(stdout, "Coloque el dedo sobre el lector.") {
		t.Errorf("blank platen: exit %d\n%s", code, stdout)
	}
}

func TestFingerUsage(t *testing.T) {
	for _, args := range [][]string{
		{"finger"}, {"finger", "quality"}, {"wsq"}, {"wsq", "encode", "only-one"},
		{"wsq", "frobnicate"}, {"finger", "quality", "a", "b"},
	} {
		if code, _, _ := runCtl(t, args...); code != exitUsage {
			t.Errorf("%v: exit %d, want %d", args, code, exitUsage)
		}
	}
	if code, _, _ := runCtl(t, "wsq", "decode", "/nonexistent.wsq", filepath.Join(t.TempDir(), "x.png")); code != exitFailed {
		t.Errorf("missing input: exit %d", code)
	}
}
