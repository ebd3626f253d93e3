package fingercap

import (
	"context"
	"errors"
	"fmt"
	"image"

	"github.com/ventanilla-mx/ventanilla/capture/finger"
	"github.com/ventanilla-mx/ventanilla/capture/finger/iso19794"
	"github.com/ventanilla-mx/ventanilla/drivers/fingerprint"
	"github.com/ventanilla-mx/ventanilla/session"
)

// Capturer is the scanner plus the fingerprint quality gate and
// encoder as the session's finger port. Every image lives in locked
// memory; each capture that is not sent is released (wiped) at once.
type Capturer struct {
	scanner  fingerprint.Scanner
	alloc    session.Allocator
	assessor *finger.Assessor
	enc      *finger.EncodeOptions
	format   string // "iso19794-4" or "wsq"
	attempts int
}

var _ session.FingerCapturer = (*Capturer)(nil)

// Options configure the finger capture.
type Options struct {
	MinScore    int     // the quality an image needs to be sent at once
	MaxAttempts int     // captures before the best one is judged on its own
	Format      string  // the record sent: "iso19794-4" or "wsq"
	WSQBitrate  float64 // for "wsq"
	// Alloc holds every image and record (locked memory in the daemon).
	Alloc session.Allocator
}

// New returns the finger capture over the scanner.
func New(scanner fingerprint.Scanner, o Options) (*Capturer, error) {
	fo := finger.DefaultOptions()
	fo.MinScore, fo.MaxAttempts = o.MinScore, o.MaxAttempts
	a, err := finger.NewAssessor(fo)
	if err != nil {
		return nil, fmt.Errorf("finger: assessor: %w", err)
	}
	switch o.Format {
	case "iso19794-4", "wsq":
	default:
		return nil, fmt.Errorf("finger: unknown record format %q", o.Format)
	}
	return &Capturer{scanner: scanner, alloc: o.Alloc, assessor: a, format: o.Format,
		enc: &finger.EncodeOptions{BitRate: o.WSQBitrate}, attempts: o.MaxAttempts}, nil
}

var (
	promptPlace = session.Prompt{Code: "finger.place", Message: "Coloque su dedo sobre el lector."}
	promptLift  = session.Prompt{Code: "finger.lift", Message: "Retire su dedo del lector."}
)

// candidate is one capture kept while better ones may come.
type candidate struct {
	buf session.Secret
	img *image.Gray
	as  *finger.Assessment
}

func (c *candidate) release() {
	if c != nil && c.buf != nil {
		c.buf.Release()
	}
}

// CaptureFinger captures until an image is accepted, or sends the best of
// finger.max_attempts if it reaches the fallback score.
func (f *Capturer) CaptureFinger(ctx context.Context, pos int, prompt func(session.Prompt)) (*session.FingerResult, error) {
	var best *candidate
	defer func() { best.release() }()
	var tried []*finger.Assessment
	for len(tried) < f.attempts {
		prompt(promptPlace)
		c, err := f.captureOne(ctx)
		if err != nil {
			return nil, err
		}
		prompt(promptLift)
		tried = append(tried, c.as)
		if best == nil || c.as.Score > best.as.Score {
			best.release()
			best = c
		} else {
			c.release()
		}
		if _, ok := f.assessor.Choose(tried); ok {
			return f.encode(best, pos)
		}
		fb := best.as.Feedback
		prompt(session.Prompt{Code: "finger." + string(fb), Message: fb.Message()})
	}
	return nil, fmt.Errorf("finger: best score %d after %d captures: %w", best.as.Score, len(tried), session.ErrQuality)
}

// captureOne takes one image into locked memory and assesses it.
func (f *Capturer) captureOne(ctx context.Context) (*candidate, error) {
	c := &candidate{}
	img, err := f.scanner.Capture(ctx, func(n int) ([]byte, error) {
		b, err := f.alloc.Alloc(n)
		c.buf = b
		if err != nil {
			return nil, err
		}
		return b.Bytes(), nil
	})
	if err != nil {
		c.release()
		return nil, scannerError(ctx, err)
	}
	c.img = &image.Gray{Pix: img.Pix, Stride: img.Width, Rect: image.Rect(0, 0, img.Width, img.Height)}
	if c.as, err = f.assessor.Assess(c.img); err != nil {
		c.release()
		return nil, fmt.Errorf("finger: assess: %w", err)
	}
	return c, nil
}

func scannerError(ctx context.Context, err error) error {
	switch {
	case ctx.Err() != nil:
		return ctx.Err()
	case errors.Is(err, fingerprint.ErrNoFinger):
		// Nobody placed a finger in time: a timeout, not a quality verdict.
		return fmt.Errorf("finger: %w: %w", session.ErrCaptureTimeout, err)
	default:
		return fmt.Errorf("finger: %w: %w", session.ErrDevice, err)
	}
}

// encode writes the chosen image as the configured record into a new
// locked buffer, which becomes the engine's.
func (f *Capturer) encode(c *candidate, pos int) (*session.FingerResult, error) {
	e, err := finger.NewEncoder(f.enc)
	if err != nil {
		return nil, err
	}
	var out session.Secret
	alloc := func(n int) ([]byte, error) {
		b, err := f.alloc.Alloc(n)
		if err != nil {
			return nil, err
		}
		out = b
		return b.Bytes(), nil
	}
	if f.format == "wsq" {
		_, err = e.WSQ(c.img, alloc)
	} else {
		_, err = e.Record(c.img, finger.R30x, iso19794.Position(pos), c.as.Score, alloc)
	}
	if err != nil {
		if out != nil {
			out.Release()
		}
		return nil, fmt.Errorf("finger: encode: %w", err)
	}
	return &session.FingerResult{Position: pos, Format: f.format, Image: out, Quality: c.as.Score}, nil
}
