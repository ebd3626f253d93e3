package vocab

import (
	"errors"
	"fmt"
)

// Point is one sample of a handwritten signature.
type Point struct {
	X, Y     uint16 // position in canvas pixels, origin top-left
	T        uint32 // milliseconds since the first point of the signature
	Pressure uint16 // 0 = none, 65535 = full; devices without pressure report 32768
}

// Stroke is the points between a pen-down and the next pen-up.
type Stroke []Point

// Strokes is the citizen's handwritten signature, as the kiosk screen
// captured it, the session carries it and the consent ledger seals it.
// Personal data: never logged; wiped once the ledger has it.
type Strokes struct {
	Width, Height uint16 // canvas size in pixels
	Strokes       []Stroke
}

// Limits of a signature (the consent ledger's canonical encoding relies
// on them).
const (
	MaxStrokes = 1024
	MaxPoints  = 1 << 16 // over all strokes
	MinPoints  = 2       // over all strokes: a single dot is not a signature
)

// ErrBadStrokes is wrapped by every Validate failure.
var ErrBadStrokes = errors.New("strokes: malformed signature")

// Validate checks the one set of rules: a non-empty canvas,
// 1..MaxStrokes non-empty strokes, MinPoints..MaxPoints points in all,
// every point inside the canvas, time never going back. Its errors name
// positions in the signature, never coordinates.
func (s *Strokes) Validate() error {
	if s == nil || s.Width == 0 || s.Height == 0 {
		return fmt.Errorf("%w: empty canvas", ErrBadStrokes)
	}
	if len(s.Strokes) == 0 || len(s.Strokes) > MaxStrokes {
		return fmt.Errorf("%w: %d strokes, want 1..%d", ErrBadStrokes, len(s.Strokes), MaxStrokes)
	}
	total, last := 0, uint32(0)
	for i, st := range s.Strokes {
		if len(st) == 0 {
			return fmt.Errorf("%w: stroke %d is empty", ErrBadStrokes, i)
		}
		for j, p := range st {
			if p.X >= s.Width || p.Y >= s.Height {
				return fmt.Errorf("%w: stroke %d point %d outside the canvas", ErrBadStrokes, i, j)
			}
			if p.T < last {
				return fmt.Errorf("%w: stroke %d point %d goes back in time", ErrBadStrokes, i, j)
			}
			last = p.T
		}
		total += len(st)
	}
	if total < MinPoints || total > MaxPoints {
		return fmt.Errorf("%w: %d points, want %d..%d", ErrBadStrokes, total, MinPoints, MaxPoints)
	}
	return nil
}

// Wipe zeroes every point and the canvas size.
func (s *Strokes) Wipe() {
	if s == nil {
		return
	}
	for _, st := range s.Strokes {
		clear(st)
	}
	s.Width, s.Height = 0, 0
}
