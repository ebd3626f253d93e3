package finger

import (
	"errors"
	"fmt"
	"image"
	"math"
)

// Verdict is the outcome of one capture.
type Verdict string

const (
	// Accept: the image is good enough to send.
	Accept Verdict = "accept"
	// Retry: a finger is there but the image is not good enough; show the
	// feedback and capture again.
	Retry Verdict = "retry"
	// NoFinger: nothing that looks like a finger; wait for one.
	NoFinger Verdict = "no_finger"
)

// Options are the accept/retry rules. The zero value of a field means its
// default.
type Options struct {
	// MinScore is the lowest score accepted (default 40).
	MinScore int
	// MinAreaMM2 is the least finger area accepted, in mm² (default 60; the
	// R30x image covers 190 mm², a flat fingertip 150-250 mm²).
	MinAreaMM2 float64
	// MaxCentreOffset is how far the finger centroid may sit from the image
	// centre, as a fraction of the diagonal, before the feedback asks to
	// centre the finger (default 0.12).
	MaxCentreOffset float64
	// MaxAttempts and FallbackScore drive Choose: after MaxAttempts
	// captures without an Accept, the best one scoring at least
	// FallbackScore is sent anyway (defaults 3 and 25).
	MaxAttempts   int
	FallbackScore int
}

// DefaultOptions returns the defaults documented on Options.
func DefaultOptions() *Options {
	return &Options{MinScore: 40, MinAreaMM2: 60, MaxCentreOffset: 0.12, MaxAttempts: 3, FallbackScore: 25}
}

func (o *Options) withDefaults() Options {
	d := DefaultOptions()
	if o == nil {
		return *d
	}
	out := *o
	if out.MinScore == 0 {
		out.MinScore = d.MinScore
	}
	if out.MinAreaMM2 == 0 {
		out.MinAreaMM2 = d.MinAreaMM2
	}
	if out.MaxCentreOffset == 0 {
		out.MaxCentreOffset = d.MaxCentreOffset
	}
	if out.MaxAttempts == 0 {
		out.MaxAttempts = d.MaxAttempts
	}
	if out.FallbackScore == 0 {
		out.FallbackScore = d.FallbackScore
	}
	return out
}

func (o *Options) validate() error {
	switch {
	case o.MinScore < 0 || o.MinScore > 100 || o.FallbackScore < 0 || o.FallbackScore > 100:
		return errors.New("finger: scores must be within 0..100")
	case o.MinAreaMM2 < 0 || o.MaxCentreOffset < 0 || o.MaxAttempts < 1:
		return errors.New("finger: area, centre offset and attempts must be positive")
	}
	return nil
}

// Assessment is the quality verdict for one image.
type Assessment struct {
	Score    int // 0..100
	Verdict  Verdict
	Feedback Feedback   // what to show now
	Hints    []Feedback // every problem found, most important first
	Features Features
}

// Assessor judges captures. It holds no state between calls and is safe for
// concurrent use.
type Assessor struct{ opts Options }

// NewAssessor returns an Assessor; nil opts means DefaultOptions.
func NewAssessor(opts *Options) (*Assessor, error) {
	o := opts.withDefaults()
	if err := o.validate(); err != nil {
		return nil, err
	}
	return &Assessor{opts: o}, nil
}

// Image sizes the assessor accepts: at least 96x96 pixels (4.9 mm square)
// and at most 4 Mpx (a four-finger slap at 500 ppi is about 2.4 Mpx); the
// working set is about 16 bytes per pixel.
const (
	minAssessSide   = 96
	maxAssessPixels = 4 << 20
)

var (
	// ErrImageTooSmall reports an image smaller than 96x96 pixels.
	ErrImageTooSmall = errors.New("finger: image smaller than 96x96 pixels")
	// ErrImageTooLarge reports an image of more than 4 Mpx.
	ErrImageTooLarge = errors.New("finger: image larger than 4 Mpx")
)

// Assess measures a 500 ppi image (use Normalize for other resolutions). Its
// working memory is cleared before it returns.
func (a *Assessor) Assess(img *image.Gray) (*Assessment, error) {
	if img.Rect.Dx() < minAssessSide || img.Rect.Dy() < minAssessSide {
		return nil, fmt.Errorf("%w: %dx%d", ErrImageTooSmall, img.Rect.Dx(), img.Rect.Dy())
	}
	if img.Rect.Dx()*img.Rect.Dy() > maxAssessPixels {
		return nil, fmt.Errorf("%w: %dx%d", ErrImageTooLarge, img.Rect.Dx(), img.Rect.Dy())
	}
	ft := analyze(img)
	as := &Assessment{Features: ft, Score: Score(&ft)}
	as.Verdict, as.Hints = a.decide(&ft, as.Score)
	as.Feedback = as.Hints[0]
	return as, nil
}

func analyze(img *image.Gray) Features {
	f := newField(img)
	defer f.wipe()
	f.orient()
	f.segment()
	f.profile()
	return f.features()
}

// Score maps the features to 0..100 (docs/fingerprint.md, "Score"):
//
//	clarity = 0.30 g(LCS) + 0.25 g(OCL) + 0.25 g(FDA) + 0.20 g(OF)
//	score   = 100 · (1 - e^(-area/60 mm²)) · clarity · (0.6 + 0.4 g(contrast))
//
// where each g is a clamped linear ramp from a value seen on unusable prints
// (0) to one seen on the best (1).
func Score(ft *Features) int {
	if ft.Blocks == 0 {
		return 0
	}
	clarity := 0.30*ramp(ft.LCS, 0.40, 0.95) +
		0.25*ramp(ft.OCL, 0.45, 0.97) +
		0.25*ramp(ft.FDA, 0.28, 0.50) +
		0.20*ramp(ft.OrientationFlow, 0.25, 0.02)
	area := 1 - math.Exp(-ft.AreaMM2/60)
	contrast := 0.6 + 0.4*ramp(ft.Contrast, 8, 45)
	return int(math.Round(100 * area * clarity * contrast))
}

// ramp is 0 at lo, 1 at hi, linear between and clamped outside (lo > hi
// for features where lower is better).
func ramp(v, lo, hi float64) float64 {
	return math.Max(0, math.Min(1, (v-lo)/(hi-lo)))
}

// Thresholds of the feedback rules (docs/fingerprint.md, "Feedback").
const (
	noFingerMM2     = 15.0  // less than this is not a finger
	poorLCS         = 0.60  // below: ridges not clearly separated
	poorOCL         = 0.60  // below: orientation not clear
	wetValleyLevel  = 110.0 // valleys this dark: ridges merged by moisture or pressure
	dryRidgeLevel   = 140.0 // ridges this light: broken, dry ridges
	faintContrast   = 20.0  // ridge/valley difference of a light touch
	centreOffsetMin = 0.05  // below: not worth asking to centre
)

// decide applies the accept/retry rules and orders the feedback.
func (a *Assessor) decide(ft *Features, score int) (Verdict, []Feedback) {
	if ft.AreaMM2 < noFingerMM2 {
		return NoFinger, []Feedback{FeedbackNoFinger}
	}
	var hints []Feedback
	offset := math.Hypot(ft.CentreOffsetX, ft.CentreOffsetY)
	small := ft.AreaMM2 < a.opts.MinAreaMM2
	if offset > a.opts.MaxCentreOffset || (small && offset > centreOffsetMin) {
		hints = append(hints, FeedbackCentre)
	}
	if small || (ft.Contrast < faintContrast && ft.RidgeLevel > dryRidgeLevel) {
		hints = append(hints, FeedbackPressHarder)
	}
	unclear := ft.LCS < poorLCS || ft.OCL < poorOCL
	poor := unclear || score < a.opts.MinScore
	switch {
	case poor && ft.ValleyLevel < wetValleyLevel:
		hints = append(hints, FeedbackTooWet)
	case poor && ft.RidgeLevel > dryRidgeLevel && !small:
		hints = append(hints, FeedbackTooDry)
	case unclear:
		hints = append(hints, FeedbackHoldStill)
	}
	if score >= a.opts.MinScore && !small {
		return Accept, []Feedback{FeedbackOK}
	}
	if len(hints) == 0 {
		hints = append(hints, FeedbackReposition)
	}
	return Retry, hints
}

// Choose picks which capture of a series to send: the first accepted one,
// or, once MaxAttempts captures have been made, the best scoring at least
// FallbackScore. ok is false when none qualifies yet (capture again while
// attempts remain; after that, offer another finger or the face).
func (a *Assessor) Choose(attempts []*Assessment) (index int, ok bool) {
	best := -1
	for i, as := range attempts {
		if as == nil {
			continue
		}
		if as.Verdict == Accept {
			return i, true
		}
		if as.Verdict == Retry && (best < 0 || as.Score > attempts[best].Score) {
			best = i
		}
	}
	if len(attempts) >= a.opts.MaxAttempts && best >= 0 && attempts[best].Score >= a.opts.FallbackScore {
		return best, true
	}
	return -1, false
}
