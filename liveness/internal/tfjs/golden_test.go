package tfjs

import (
	"bytes"
	"encoding/json"
	"flag"
	"math"
	"os"
	"path/filepath"
	"testing"
)

var tinyOutputs = []string{"out", "out_2", "out_3", "out_4"}

var update = flag.Bool("update", false, "rewrite testdata/tiny* from the generator and @tensorflow/tfjs")

// TestTinyGolden runs the tiny graph and compares it with the outputs tfjs
// computed for it (committed; no node needed).
func TestTinyGolden(t *testing.T) {
	js, shard := tinyModel()
	if *update {
		writeTiny(t, js, shard)
	}
	onDisk, err := os.ReadFile("testdata/tiny.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(onDisk, js) {
		t.Fatal("testdata/tiny.json differs from the generator; run go test -run TestTinyGolden -update")
	}
	g := loadFile(t, "testdata/tiny.json")
	if got, want := g.Ops(), Supported(); !equalStrings(got, want) {
		t.Errorf("tiny graph runs %v, want every supported op %v", got, want)
	}
	copy(g.Input(), tinyInput())
	g.Run()
	var want map[string][]float32
	readJSON(t, "testdata/tiny_expected.json", &want)
	for _, name := range tinyOutputs {
		got, ok := g.Output(name)
		if !ok {
			t.Fatalf("no output %q", name)
		}
		if d := maxAbsDiff(t, name, got, want[name]); d > 1e-5 {
			t.Errorf("%s: max |go - tfjs| = %.3g, want <= 1e-5\ngot  %v\nwant %v", name, d, got, want[name])
		}
	}
}

func writeTiny(t *testing.T, js, shard []byte) {
	t.Helper()
	if err := os.WriteFile("testdata/tiny.json", js, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile("testdata/tiny.bin", shard, 0o644); err != nil {
		t.Fatal(err)
	}
	res := runReference(t, repoRoot(t), "testdata/tiny.json", tinyInput(), tinyOutputs...)
	b, err := json.MarshalIndent(res, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile("testdata/tiny_expected.json", append(b, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", filepath.Base(path), err)
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestHalfToFloat checks the float16 decoder on values with exact answers.
func TestHalfToFloat(t *testing.T) {
	for h, want := range map[uint16]float32{
		0x0000: 0, 0x3c00: 1, 0xc000: -2, 0x3555: 0.33325195, 0x7bff: 65504,
		0x0001: 5.9604645e-8, 0x8400: -6.1035156e-5,
	} {
		if got := halfToFloat(h); got != want {
			t.Errorf("halfToFloat(%#04x) = %g, want %g", h, got, want)
		}
	}
	if !math.IsInf(float64(halfToFloat(0x7c00)), 1) || !math.IsNaN(float64(halfToFloat(0x7e00))) {
		t.Error("infinity or NaN decoded wrongly")
	}
}
