package finger

import (
	"errors"
	"image"
	"math"
	"testing"
	"time"

	"github.com/ventanilla-mx/ventanilla/capture/finger/ansinist"
	"github.com/ventanilla-mx/ventanilla/capture/finger/fingergen"
	"github.com/ventanilla-mx/ventanilla/capture/finger/internal/degrade"
	"github.com/ventanilla-mx/ventanilla/capture/finger/internal/testutil"
	"github.com/ventanilla-mx/ventanilla/capture/finger/iso19794"
	"github.com/ventanilla-mx/ventanilla/capture/finger/wsq"
)

func TestRecordRoundTrip(t *testing.T) {
	img := degrade.Quantize4(fingergen.Print(1, 0, 256, 288))
	e, err := NewEncoder(nil)
	if err != nil {
		t.Fatal(err)
	}
	calls := 0
	rec, err := e.Record(img, R30x, iso19794.RightIndex, 71, func(n int) ([]byte, error) {
		calls++
		return make([]byte, n), nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if calls != 1 {
		t.Errorf("alloc called %d times", calls)
	}
	r, err := iso19794.Parse(rec)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Validate(); err != nil {
		t.Errorf("written record does not validate: %v", err)
	}
	h, v := r.Header, r.Views[0]
	if h.Compression != iso19794.WSQ || h.ImagePPIX != 500 || h.ScanPPIY != 500 || h.AcquisitionLevel != 30 || h.PixelDepth != 8 {
		t.Errorf("header %+v", h)
	}
	if v.Position != iso19794.RightIndex || v.Quality != 71 || v.Width != 256 || v.Height != 288 || v.Impression != iso19794.LivePlain {
		t.Errorf("view %+v", v)
	}
	dec, err := wsq.Decode(v.Image)
	if err != nil {
		t.Fatal(err)
	}
	if psnr := testutil.PSNR(img, dec); psnr < selfTestMinPSNR { // fingergen prints: 22-26 dB, see selfTestMinPSNR
		t.Errorf("WSQ in the record decodes at %.1f dB", psnr)
	}
	if r8 := recordHeader(Generic500); r8.AcquisitionLevel != iso19794.Level500ppi {
		t.Errorf("8-bit source declared at level %d", r8.AcquisitionLevel)
	}
}

func TestRecordRejects(t *testing.T) {
	img := fingergen.Print(2, 0, 256, 288)
	e, _ := NewEncoder(nil)
	if _, err := e.Record(img, R30x, iso19794.UnknownFinger, 50, HeapAlloc); err == nil {
		t.Error("finger position 0 accepted")
	}
	if _, err := e.Record(img, R30x, iso19794.LeftThumb, 101, HeapAlloc); err == nil {
		t.Error("quality 101 accepted")
	}
	boom := errors.New("locked memory exhausted")
	if _, err := e.Record(img, R30x, iso19794.LeftThumb, 50, func(int) ([]byte, error) { return nil, boom }); !errors.Is(err, boom) {
		t.Errorf("err = %v, want the allocator's", err)
	}
	if _, err := NewEncoder(&EncodeOptions{BitRate: 20}); err == nil {
		t.Error("bit rate 20 accepted")
	}
}

func TestWSQ(t *testing.T) {
	img := fingergen.Print(1, 3, 256, 288)
	e, _ := NewEncoder(&EncodeOptions{BitRate: 1.5})
	out, err := e.WSQ(img, HeapAlloc)
	if err != nil {
		t.Fatal(err)
	}
	info, err := wsq.DecodeConfig(out)
	if err != nil || info.BitRate != 1.5 || info.PPI != 500 {
		t.Errorf("info %+v, err %v", info, err)
	}
}

func TestNormalize(t *testing.T) {
	img := fingergen.Print(1, 0, 256, 288)
	same, err := Normalize(img, R30x, HeapAlloc)
	if err != nil || same != img {
		t.Fatalf("500 ppi image was copied or refused: %v", err)
	}
	if _, err := Normalize(img, Source{PPI: 508, BitDepth: 8}, func(int) ([]byte, error) {
		t.Error("508 ppi (within 2%) was resampled")
		return nil, nil
	}); err != nil {
		t.Error(err)
	}
	for _, ppi := range []float64{0, 200, 2500, math.NaN()} {
		if _, err := Normalize(img, Source{PPI: ppi, BitDepth: 8}, HeapAlloc); !errors.Is(err, ErrResolution) {
			t.Errorf("%g ppi: err = %v", ppi, err)
		}
	}
}

// TestNormalizeRestoresRidgePeriod renders the same impression at 1000 and
// 400 ppi and checks that, once normalised, it has the 500 ppi ridge period
// and passes the quality check.
func TestNormalizeRestoresRidgePeriod(t *testing.T) {
	ref := assess(t, fingergen.Print(1, 0, 256, 288)).Features.RidgePeriod
	for _, ppi := range []float64{1000, 400} {
		f := ppi / TargetPPI
		w, h := int(math.Round(256*f)), int(math.Round(288*f))
		src := Source{PPI: ppi, BitDepth: 8}
		img, err := Normalize(fingergen.Sensor(1, 0, w, h, ppi), src, HeapAlloc)
		if err != nil {
			t.Fatal(err)
		}
		if img.Rect.Dx() != 256 || img.Rect.Dy() != 288 {
			t.Fatalf("%g ppi normalised to %v", ppi, img.Rect)
		}
		as := assess(t, img)
		if as.Verdict != Accept || math.Abs(as.Features.RidgePeriod-ref) > 1 {
			t.Errorf("%g ppi: %s, ridge period %.1f px (500 ppi original: %.1f)", ppi, as.Verdict, as.Features.RidgePeriod, ref)
		}
	}
}

func TestNormalizeAlloc(t *testing.T) {
	img := image.NewGray(image.Rect(0, 0, 400, 400))
	src := Source{PPI: 1000, BitDepth: 8}
	if _, err := Normalize(img, src, func(n int) ([]byte, error) { return make([]byte, n-1), nil }); err == nil {
		t.Error("short buffer accepted")
	}
	boom := errors.New("no memory")
	if _, err := Normalize(img, src, func(int) ([]byte, error) { return nil, boom }); !errors.Is(err, boom) {
		t.Errorf("err = %v", err)
	}
}

func TestType14RoundTrip(t *testing.T) {
	img := fingergen.Print(1, 7, 256, 288)
	e, _ := NewEncoder(nil)
	meta := ansinist.Header{IDC: 1, Agency: "MX0001", CaptureDate: time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)}
	calls := 0
	rec, err := e.Type14(img, iso19794.LeftThumb, meta, func(n int) ([]byte, error) {
		calls++
		return make([]byte, n), nil
	})
	if err != nil || calls != 1 {
		t.Fatalf("err %v, %d allocations", err, calls)
	}
	r, err := ansinist.Parse(rec)
	if err != nil {
		t.Fatal(err)
	}
	if r.Position != 6 || r.Width != 256 || r.PPI != 500 || r.Compression != "WSQ20" || r.Agency != "MX0001" {
		t.Errorf("header %+v", r.Header)
	}
	dec, err := wsq.Decode(r.Image)
	if err != nil {
		t.Fatal(err)
	}
	if psnr := testutil.PSNR(img, dec); psnr < selfTestMinPSNR { // fingergen prints: 22-26 dB, see selfTestMinPSNR
		t.Errorf("PSNR %.1f dB", psnr)
	}
	if _, err := e.Type14(img, iso19794.LeftThumb, ansinist.Header{}, HeapAlloc); err == nil {
		t.Error("missing agency and date accepted")
	}
}

func TestSelfTest(t *testing.T) {
	if err := SelfTest(); err != nil {
		t.Fatal(err)
	}
}

// TestSelfTestFailsBadInput: the self-test's thresholds still separate a
// working pipeline from a broken one on fingergen's prints: a smeared or
// blurred print is not accepted, and a round trip that returns another
// print, a blank platen or a coarser stream fails the PSNR floor.
func TestSelfTestFailsBadInput(t *testing.T) {
	good := degrade.Quantize4(fingergen.Print(selfTestSeed, 0, 256, 288))
	for name, img := range map[string]*image.Gray{
		"smeared": degrade.Smear(good, 2),
		"blurred": degrade.Blur(good, 3.5),
	} {
		if err := selfTest(img, recordRoundTrip); err == nil {
			t.Errorf("%s print passed the self-test", name)
		}
	}
	other := degrade.Quantize4(fingergen.Print(selfTestSeed+1, 0, 256, 288))
	for name, rt := range map[string]roundTrip{
		"another print": func(*image.Gray, int) (*image.Gray, error) { return other, nil },
		"blank platen":  func(img *image.Gray, _ int) (*image.Gray, error) { return degrade.Levels(img, 230, 0), nil },
		"0.1 bpp": func(img *image.Gray, _ int) (*image.Gray, error) {
			data, err := wsq.Encode(img, &wsq.Options{BitRate: 0.1, PPI: 500})
			if err != nil {
				return nil, err
			}
			return wsq.Decode(data)
		},
	} {
		if err := selfTest(good, rt); err == nil {
			t.Errorf("a round trip returning %s passed the self-test", name)
		}
	}
}
