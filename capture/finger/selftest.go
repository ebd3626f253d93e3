package finger

import (
	"fmt"
	"math"

	"github.com/ventanilla-mx/ventanilla/capture/finger/internal/synth"
	"github.com/ventanilla-mx/ventanilla/capture/finger/iso19794"
	"github.com/ventanilla-mx/ventanilla/capture/finger/wsq"
)

// SelfTest runs the whole pipeline on a synthetic print (no person's data):
// the quality check must accept it and reject an empty platen, and the
// print must survive an ISO/IEC 19794-4 record with WSQ at 0.75 bpp with a
// PSNR of at least 28 dB. The daemon runs it at start and on request; an
// error means fingerprint capture must not be offered.
func SelfTest() error {
	img := synth.Quantize4(synth.Print(synth.Default(20260101)))
	a, err := NewAssessor(nil)
	if err != nil {
		return err
	}
	as, err := a.Assess(img)
	if err != nil {
		return fmt.Errorf("finger self-test: assess: %w", err)
	}
	if as.Verdict != Accept {
		return fmt.Errorf("finger self-test: synthetic print judged %s (score %d)", as.Verdict, as.Score)
	}
	empty := synth.Levels(img, 230, 0)
	if es, err := a.Assess(empty); err != nil || es.Verdict != NoFinger {
		return fmt.Errorf("finger self-test: empty platen not recognised (err %v)", err)
	}
	e, err := NewEncoder(nil)
	if err != nil {
		return err
	}
	rec, err := e.Record(img, R30x, iso19794.RightIndex, as.Score, HeapAlloc)
	if err != nil {
		return fmt.Errorf("finger self-test: %w", err)
	}
	r, err := iso19794.Parse(rec)
	if err != nil {
		return fmt.Errorf("finger self-test: written record unreadable: %w", err)
	}
	dec, err := wsq.Decode(r.Views[0].Image)
	if err != nil {
		return fmt.Errorf("finger self-test: written WSQ unreadable: %w", err)
	}
	if p := psnr(img.Pix, dec.Pix); p < 28 {
		return fmt.Errorf("finger self-test: WSQ round trip at %.1f dB, want at least 28", p)
	}
	return nil
}

func psnr(a, b []uint8) float64 {
	var se float64
	for i := range a {
		d := float64(a[i]) - float64(b[i])
		se += d * d
	}
	if se == 0 {
		return math.Inf(1)
	}
	return 10 * math.Log10(255*255*float64(len(a))/se)
}
