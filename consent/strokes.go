package consent

import (
	"fmt"
	"io"
	"strconv"

	"github.com/ventanilla-mx/ventanilla/vocab"
)

const (
	strokesMagic = "ventanilla.mx/strokes/v1\n"
	maxPoints    = vocab.MaxPoints // over all strokes
)

// Point is one sample of a handwritten signature (vocab.Point).
type Point = vocab.Point

// Stroke is the points between a pen-down and the next pen-up.
type Stroke = vocab.Stroke

// Strokes is a handwritten signature captured on the kiosk screen
// (vocab.Strokes, the session's type; Validate is its one rule set). It is
// a personal field: it is only ever stored sealed.
type Strokes = vocab.Strokes

// MarshalStrokes returns the canonical encoding of s (docs/consent.md).
func MarshalStrokes(s *Strokes) ([]byte, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	e := &encoder{}
	e.raw([]byte(strokesMagic))
	e.u16(s.Width)
	e.u16(s.Height)
	e.u16(uint16(len(s.Strokes)))
	for _, st := range s.Strokes {
		e.u32(uint32(len(st)))
		for _, p := range st {
			e.u16(p.X)
			e.u16(p.Y)
			e.u32(p.T)
			e.u16(p.Pressure)
		}
	}
	return e.b, nil
}

// ParseStrokes decodes the canonical encoding; it accepts nothing else.
func ParseStrokes(b []byte) (*Strokes, error) {
	d := &decoder{b: b}
	s := decodeStrokes(d)
	if err := d.end(); err != nil {
		return nil, fmt.Errorf("consent: parse strokes: %w", err)
	}
	if err := s.Validate(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	return s, nil
}

func decodeStrokes(d *decoder) *Strokes {
	s := &Strokes{}
	d.magic(strokesMagic)
	s.Width, s.Height = d.u16("width"), d.u16("height")
	n := int(d.u16("stroke count"))
	total := 0
	for i := 0; i < n && d.err == nil; i++ {
		m := int(d.u32("point count"))
		if total += m; total > maxPoints {
			d.fail("strokes: more than %d points", maxPoints)
			break
		}
		st := make(Stroke, 0, min(m, len(d.b)/10+1))
		for j := 0; j < m && d.err == nil; j++ {
			st = append(st, Point{X: d.u16("x"), Y: d.u16("y"), T: d.u32("t"), Pressure: d.u16("pressure")})
		}
		s.Strokes = append(s.Strokes, st)
	}
	return s
}

// WriteStrokesSVG renders s for people: one group per stroke, each segment
// a line whose width follows the pen pressure. The output depends only on s.
func WriteStrokesSVG(w io.Writer, s *Strokes) error {
	if err := s.Validate(); err != nil {
		return err
	}
	b := make([]byte, 0, 64*len(s.Strokes))
	b = fmt.Appendf(b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d">`+"\n",
		s.Width, s.Height, s.Width, s.Height)
	b = append(b, `<rect width="100%" height="100%" fill="white"/>`+"\n"...)
	for _, st := range s.Strokes {
		b = append(b, `<g stroke="black" stroke-linecap="round" fill="black">`+"\n"...)
		if len(st) == 1 {
			b = fmt.Appendf(b, `<circle cx="%d" cy="%d" r="%s"/>`+"\n", st[0].X, st[0].Y, penWidth(st[0].Pressure/2))
		}
		for i := 1; i < len(st); i++ {
			p, q := st[i-1], st[i]
			b = fmt.Appendf(b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke-width="%s"/>`+"\n",
				p.X, p.Y, q.X, q.Y, penWidth(uint16((uint32(p.Pressure)+uint32(q.Pressure))/2)))
		}
		b = append(b, "</g>\n"...)
	}
	b = append(b, "</svg>\n"...)
	_, err := w.Write(b)
	return err
}

// penWidth maps pressure to a stroke width between 0.5 and 4 pixels.
func penWidth(p uint16) string {
	return strconv.FormatFloat(0.5+3.5*float64(p)/65535, 'f', 2, 64)
}
