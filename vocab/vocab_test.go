package vocab

import (
	"errors"
	"testing"
)

func TestStatusValid(t *testing.T) {
	for _, s := range Statuses() {
		if !s.Valid() {
			t.Errorf("%q not valid", s)
		}
	}
	for _, s := range []Status{StatusUnknown, "", "VALID", "valid "} {
		if s.Valid() {
			t.Errorf("%q valid", s)
		}
	}
	if len(Statuses()) != 7 {
		t.Errorf("%d statuses, want INE's 7", len(Statuses()))
	}
}

func TestVerdictValid(t *testing.T) {
	for _, v := range []Verdict{Live, Spoof, Uncertain} {
		if !v.Valid() {
			t.Errorf("%q not valid", v)
		}
	}
	for _, v := range []Verdict{"", "LIVE", "inconclusive", "Live"} {
		if v.Valid() {
			t.Errorf("%q valid", v)
		}
	}
}

func TestStrokesValidate(t *testing.T) {
	pt := func(x, y uint16, ms uint32) Point { return Point{X: x, Y: y, T: ms, Pressure: 32768} }
	good := &Strokes{Width: 10, Height: 10, Strokes: []Stroke{{pt(1, 1, 0), pt(2, 2, 5)}}}
	if err := good.Validate(); err != nil {
		t.Fatalf("good signature: %v", err)
	}
	bad := map[string]*Strokes{
		"nil":            nil,
		"empty canvas":   {Width: 0, Height: 10, Strokes: []Stroke{{pt(0, 0, 0), pt(0, 0, 1)}}},
		"no strokes":     {Width: 10, Height: 10},
		"empty stroke":   {Width: 10, Height: 10, Strokes: []Stroke{{pt(0, 0, 0), pt(0, 0, 1)}, {}}},
		"one dot":        {Width: 10, Height: 10, Strokes: []Stroke{{pt(1, 1, 0)}}},
		"outside canvas": {Width: 10, Height: 10, Strokes: []Stroke{{pt(1, 1, 0), pt(10, 0, 1)}}},
		"time backwards": {Width: 10, Height: 10, Strokes: []Stroke{{pt(1, 1, 5)}, {pt(1, 1, 4)}}},
		"too many":       {Width: 10, Height: 10, Strokes: make([]Stroke, MaxStrokes+1)},
	}
	for name, s := range bad {
		if err := s.Validate(); !errors.Is(err, ErrBadStrokes) {
			t.Errorf("%s: %v", name, err)
		}
	}
	good.Wipe()
	if good.Width != 0 || good.Strokes[0][1] != (Point{}) {
		t.Fatal("Wipe left data")
	}
}
