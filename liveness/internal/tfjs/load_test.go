package tfjs

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"
)

func tinyFiles(t testing.TB) (js, shard []byte) {
	t.Helper()
	js, err := os.ReadFile("testdata/tiny.json")
	if err != nil {
		t.Fatal(err)
	}
	shard, err = os.ReadFile("testdata/tiny.bin")
	if err != nil {
		t.Fatal(err)
	}
	return js, shard
}

func loadBytes(js, shard []byte) (*Graph, error) {
	return Load(js, func(string) ([]byte, error) { return shard, nil })
}

// TestLoadRejects checks that every malformed or unsupported graph is
// refused with an error that names the problem.
func TestLoadRejects(t *testing.T) {
	js, shard := tinyFiles(t)
	edit := func(old, new string) []byte {
		if !bytes.Contains(js, []byte(old)) {
			t.Fatalf("tiny.json has no %q", old)
		}
		return bytes.Replace(js, []byte(old), []byte(new), 1)
	}
	cases := []struct {
		name, want string
		js, shard  []byte
	}{
		{"unknown op", `unsupported op "Conv3D"`, edit(`"op": "Sigmoid"`, `"op": "Conv3D"`), shard},
		{"short weights", "too short", js, shard[:len(shard)-9]},
		{"extra weights", "left over", js, append(bytes.Clone(shard), 0, 0, 0, 0)},
		{"bad padding", `padding "EXPLICIT"`, edit(`"U0FNRQ=="`, `"RVhQTElDSVQ="`), shard},
		{"not a graph model", "format", edit(`"graph-model"`, `"layers-model"`), shard},
		{"missing node", `node "nope" not found`, edit(`"sig"
    ]`, `"nope"
    ]`), shard},
		{"output index", "only output 0", edit(`"r5"
    ]`, `"r5:1"
    ]`), shard},
		{"cycle", "cycle", edit(`"c4",
     "shape5"`, `"sig",
     "shape5"`), shard},
		{"float shape", "int32 Const", edit(`"c4",
     "shape5"`, `"c4",
     "b4"`), shard},
		{"bad dtype", "unsupported dtype", edit(`"dtype": "int32"`, `"dtype": "uint8"`), shard},
		{"fused relu6", "fused_ops", edit(`"UHJlbHU="`, `"UmVsdTY="`), shard},
		{"broadcast", "last-axis vector", edit(`"shift",
     "shape": [
      1,
      1,
      1,
      6`, `"shift",
     "shape": [
      1,
      1,
      6,
      1`), shard},
	}
	for _, c := range cases {
		_, err := loadBytes(c.js, c.shard)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want one containing %q", c.name, err, c.want)
		}
	}
	if _, err := Load(js, func(string) ([]byte, error) { return nil, errors.New("gone") }); err == nil {
		t.Error("a failing shard reader was not reported")
	}
}

// TestRunAllocatesNothing guards the per-frame promise.
func TestRunAllocatesNothing(t *testing.T) {
	js, shard := tinyFiles(t)
	g, err := loadBytes(js, shard)
	if err != nil {
		t.Fatal(err)
	}
	if n := testing.AllocsPerRun(10, g.Run); n != 0 {
		t.Errorf("Run allocates %v times", n)
	}
}

// FuzzLoad feeds arbitrary model.json and weight bytes to the decoder and,
// when a graph loads, runs it: neither may panic or hang.
func FuzzLoad(f *testing.F) {
	js, shard := tinyFiles(f)
	f.Add(js, shard)
	f.Add(js, shard[:40])
	f.Add([]byte(`{"format":"graph-model","modelTopology":{"node":[{"name":"x","op":"Placeholder"}]}}`), []byte{})
	f.Fuzz(func(t *testing.T, js, shard []byte) {
		g, err := loadBytes(js, shard)
		if err != nil {
			return
		}
		if len(g.Input()) <= 1<<12 && len(shard) <= 1<<16 {
			g.Run()
		}
	})
}
