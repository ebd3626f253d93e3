package consent_test

import (
	"bytes"
	"encoding/xml"
	"io"
	"reflect"
	"testing"

	"github.com/ventanilla-mx/ventanilla/consent"
	"github.com/ventanilla-mx/ventanilla/consent/consenttest"
)

func TestStrokesRoundTrip(t *testing.T) {
	s := consenttest.Strokes(42)
	b, err := consent.MarshalStrokes(s)
	if err != nil {
		t.Fatal(err)
	}
	back, err := consent.ParseStrokes(b)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, s) {
		t.Fatal("strokes changed in a round trip")
	}
	if _, err := consent.ParseStrokes(b[:len(b)-1]); err == nil {
		t.Fatal("truncated strokes accepted")
	}
}

func TestStrokesValidate(t *testing.T) {
	pt := func(x, y uint16, tm uint32) consent.Point { return consent.Point{X: x, Y: y, T: tm, Pressure: 1} }
	cases := map[string]*consent.Strokes{
		"empty canvas":   {Width: 0, Height: 10, Strokes: []consent.Stroke{{pt(0, 0, 0)}}},
		"no strokes":     {Width: 10, Height: 10},
		"empty stroke":   {Width: 10, Height: 10, Strokes: []consent.Stroke{{}}},
		"outside canvas": {Width: 10, Height: 10, Strokes: []consent.Stroke{{pt(10, 0, 0)}}},
		"time backwards": {Width: 10, Height: 10, Strokes: []consent.Stroke{{pt(1, 1, 5)}, {pt(1, 1, 4)}}},
	}
	for name, s := range cases {
		if err := s.Validate(); err == nil {
			t.Errorf("%s: accepted", name)
		}
		if _, err := consent.MarshalStrokes(s); err == nil {
			t.Errorf("%s: encoded", name)
		}
	}
}

func TestStrokesSVG(t *testing.T) {
	s := consenttest.Strokes(7)
	var a, b bytes.Buffer
	if err := consent.WriteStrokesSVG(&a, s); err != nil {
		t.Fatal(err)
	}
	_ = consent.WriteStrokesSVG(&b, s)
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("SVG rendering is not deterministic")
	}
	lines, segments := 0, 0
	for _, st := range s.Strokes {
		segments += len(st) - 1
	}
	dec := xml.NewDecoder(&a)
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("SVG is not well-formed XML: %v", err)
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "line" {
			lines++
		}
	}
	if lines != segments {
		t.Fatalf("SVG has %d line elements, want one per segment (%d)", lines, segments)
	}
}
