package sessiontest

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"sync"
	"time"

	"github.com/ventanilla-mx/ventanilla/session"
)

// Consent is a ConsentRecorder that keeps records in memory (it "fsyncs"
// by returning). It remembers each consent's signature so a test can check
// that the engine wiped it after the call.
type Consent struct {
	mu   sync.Mutex
	recs []session.Consent
	sigs []*session.Signature
	// Err, when set, makes RecordConsent fail (nothing is recorded).
	Err error
	// Hold makes RecordConsent wait for ctx (a stuck disk).
	Hold bool
	// EFirmaPassword is the password an e.firma consent must carry; any
	// other is refused as the real recorder would (wrong_password).
	EFirmaPassword string
	efirmas        []*session.EFirmaFiles
}

var _ session.ConsentRecorder = (*Consent)(nil)

// RecordConsent records c and returns a receipt with a sequential id.
func (f *Consent) RecordConsent(ctx context.Context, c *session.Consent) (session.ConsentReceipt, error) {
	f.mu.Lock()
	hold, err := f.Hold, f.Err
	f.mu.Unlock()
	if hold {
		<-ctx.Done()
		return session.ConsentReceipt{}, fmt.Errorf("sessiontest: ledger: %w", ctx.Err())
	}
	if err != nil {
		return session.ConsentReceipt{}, err
	}
	if n := btoi(c.Signature != nil) + btoi(c.Typed != nil) + btoi(c.EFirma != nil); n != 1 {
		return session.ConsentReceipt{}, fmt.Errorf("sessiontest: ledger: want exactly one of signature, typed acceptance and e.firma")
	}
	if c.EFirma != nil {
		f.mu.Lock()
		f.efirmas = append(f.efirmas, c.EFirma)
		f.mu.Unlock()
		if string(c.EFirma.Password) != f.EFirmaPassword {
			return session.ConsentReceipt{}, &session.EFirmaError{Reason: session.EFirmaWrongPassword}
		}
	} else if c.Signature != nil {
		if err := c.Signature.Validate(); err != nil {
			return session.ConsentReceipt{}, err
		}
	} else if !c.Typed.Valid() {
		return session.ConsentReceipt{}, fmt.Errorf("sessiontest: ledger: typed acceptance is not the phrase")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	rec := *c
	rec.Signature, rec.EFirma = nil, nil
	f.recs = append(f.recs, rec)
	f.sigs = append(f.sigs, c.Signature)
	id := fmt.Sprintf("0190c0de-0000-7000-8000-%012d", len(f.recs))
	return session.ConsentReceipt{ID: id, Proof: session.ConsentProof{Index: int64(len(f.recs) - 1), TreeSize: int64(len(f.recs)),
		RecordHash: [32]byte{0x7f, 0x3a, byte(len(f.recs))}}}, nil
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// EFirmaWiped reports whether every e.firma handed over was zeroed.
func (f *Consent) EFirmaWiped() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, e := range f.efirmas {
		for _, b := range [][]byte{e.Cert, e.Key, e.Password} {
			for _, c := range b {
				if c != 0 {
					return false
				}
			}
		}
	}
	return true
}

// Records returns the consents recorded so far, without signatures.
func (f *Consent) Records() []session.Consent {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]session.Consent(nil), f.recs...)
}

// SignaturesWiped reports whether every signature handed over was zeroed.
func (f *Consent) SignaturesWiped() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, s := range f.sigs {
		if s.Width != 0 || s.Height != 0 {
			return false
		}
		for _, st := range s.Strokes {
			for _, p := range st {
				if p != (session.Point{}) {
					return false
				}
			}
		}
	}
	return true
}

// Credentials implements the INE credential models' field rules (the
// shapes of credential/; the real package is used in production).
type Credentials struct{}

var _ session.CredentialValidator = Credentials{}

// Fields returns the fields of model A-H.
func (Credentials) Fields(model string) ([]string, error) {
	switch model {
	case "A", "B", "C":
		return []string{"claveElector", "numeroEmision", "ocr"}, nil
	case "D":
		return []string{"cic", "ocr"}, nil
	case "E", "F", "G", "H":
		return []string{"cic", "identificadorCiudadano"}, nil
	}
	return nil, fmt.Errorf("sessiontest: model must be A to H")
}

// ValidateField checks lengths and character classes.
func (Credentials) ValidateField(field string, v []byte) error {
	rules := map[string]struct {
		n      int
		digits bool
		rule   string
		code   string
	}{
		"claveElector": {18, false, "18 letters and digits", "length"}, "numeroEmision": {2, true, "2 digits", "digits"},
		"ocr": {13, true, "13 digits", "digits"}, "cic": {9, true, "9 digits", "digits"},
		"identificadorCiudadano": {9, true, "9 digits", "digits"},
	}
	r, ok := rules[field]
	if !ok {
		return &session.FieldError{Field: field, Rule: "a known field", Code: "unknown_field"}
	}
	if len(v) != r.n || !shape(v, r.digits) {
		return &session.FieldError{Field: field, Rule: r.rule, Code: r.code}
	}
	return nil
}

func shape(v []byte, digits bool) bool {
	for _, c := range v {
		isDigit := c >= '0' && c <= '9'
		if !isDigit && (digits || c < 'A' || c > 'Z') {
			return false
		}
	}
	return true
}

// SyntheticJPEG returns a small gradient JPEG: not a face, never a person.
func SyntheticJPEG(w, h int, seed uint8) []byte {
	img := image.NewGray(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.SetGray(x, y, color.Gray{Y: uint8(x*255/w) ^ uint8(y) ^ seed})
		}
	}
	var b bytes.Buffer
	_ = jpeg.Encode(&b, img, &jpeg.Options{Quality: 60})
	return b.Bytes()
}

// wait waits d (paced fakes) or until ctx is done.
func wait(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
