package tfjs

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"math"
	"math/rand/v2"
)

// The tiny graph (testdata/tiny.json + tiny.bin) exercises every supported op
// and weight encoding on an 8x8x3 input with seeded random weights:
//
//	c1 = _FusedConv2D[BiasAdd,Prelu](x, 3x3 s2 SAME, 3->4)   float16 filter
//	d1 = DepthwiseConv2dNative(c1, 3x3 s1 SAME)
//	c2 = _FusedConv2D[BiasAdd](d1, 1x1, 4->4)
//	p1 = Prelu(AddV2(c1, c2))
//	m1 = MaxPool(p1, 2x2 s2 VALID);  d2 = DepthwiseConv2dNative(p1, 3x3 s2 SAME)
//	a2 = AddV2(Pad(m1, 4->6 channels), _FusedConv2D[BiasAdd](d2, 1x1, 4->6))
//	c4 = _FusedConv2D[BiasAdd](a2, 2x2 s2 VALID, 6->5)
//	out   = Identity(Sigmoid(Reshape(c4, [-1 5])))
//	out_2 = Identity(Reshape(ConcatV2(a2, Pad(..), axis -1), [-1 24]))
//	out_3 = Softmax(_FusedMatMul[BiasAdd](Add(Mul(_FusedMatMul[BiasAdd,Relu](
//	          Reshape(c4), 5->6), scale), offset), 6->3))
//	out_4 = Reshape(AddV2(Relu(a2), shift[1,1,1,6]), [-1 24])
//
// (c3 above is _FusedConv2D[BiasAdd,Relu].)
//
// tinyExpected (testdata/tiny_expected.json) holds @tensorflow/tfjs's outputs
// for tinyInput; `go test -run TestTinyGolden -update` rewrites all three
// files (it needs node and .cache/node, see scripts/deps.sh).

type tinyWeight struct {
	name  string
	shape []int
	dtype string // "float32", "float16" (quantised float32) or "int32"
	ints  []int32
}

var tinyWeights = []tinyWeight{
	{name: "w1", shape: []int{3, 3, 3, 4}, dtype: "float16"},
	{name: "b1", shape: []int{4}, dtype: "float32"},
	{name: "alpha1", shape: []int{1, 1, 4}, dtype: "float16"},
	{name: "dw1", shape: []int{3, 3, 4, 1}, dtype: "float32"},
	{name: "w2", shape: []int{1, 1, 4, 4}, dtype: "float32"},
	{name: "b2", shape: []int{4}, dtype: "float16"},
	{name: "alpha2", shape: []int{1, 1, 4}, dtype: "float32"},
	{name: "dw2", shape: []int{3, 3, 4, 1}, dtype: "float16"},
	{name: "pads", shape: []int{4, 2}, dtype: "int32", ints: []int32{0, 0, 0, 0, 0, 0, 0, 2}},
	{name: "w3", shape: []int{1, 1, 4, 6}, dtype: "float32"},
	{name: "b3", shape: []int{6}, dtype: "float32"},
	{name: "w4", shape: []int{2, 2, 6, 5}, dtype: "float16"},
	{name: "b4", shape: []int{5}, dtype: "float32"},
	{name: "shape5", shape: []int{2}, dtype: "int32", ints: []int32{-1, 5}},
	{name: "shape24", shape: []int{2}, dtype: "int32", ints: []int32{-1, 24}},
	{name: "axis", shape: []int{}, dtype: "int32", ints: []int32{-1}},
	{name: "wm1", shape: []int{5, 6}, dtype: "float16"},
	{name: "bm1", shape: []int{6}, dtype: "float32"},
	{name: "scale", shape: []int{6}, dtype: "float32"},
	{name: "offset", shape: []int{6}, dtype: "float16"},
	{name: "wm2", shape: []int{6, 3}, dtype: "float32"},
	{name: "bm2", shape: []int{3}, dtype: "float32"},
	{name: "shift", shape: []int{1, 1, 1, 6}, dtype: "float32"},
}

type tinyNode struct {
	name, op string
	inputs   []string
	attr     map[string]any
}

func convAttr(fused []string, stride int, padding string) map[string]any {
	ops := make([]string, len(fused))
	for i, f := range fused {
		ops[i] = base64.StdEncoding.EncodeToString([]byte(f))
	}
	a := windowAttr(stride, padding)
	a["fused_ops"] = map[string]any{"list": map[string]any{"s": ops}}
	args := 0 // extra inputs: BiasAdd's bias and Prelu's alpha; Relu has none
	for _, f := range fused {
		if f != "Relu" {
			args++
		}
	}
	a["num_args"] = map[string]any{"i": itoa(args)}
	a["epsilon"] = map[string]any{"f": 0}
	return a
}

func windowAttr(stride int, padding string) map[string]any {
	s := itoa(stride)
	return map[string]any{
		"strides":     map[string]any{"list": map[string]any{"i": []string{"1", s, s, "1"}}},
		"padding":     map[string]any{"s": base64.StdEncoding.EncodeToString([]byte(padding))},
		"data_format": map[string]any{"s": base64.StdEncoding.EncodeToString([]byte("NHWC"))},
		"dilations":   map[string]any{"list": map[string]any{"i": []string{"1", "1", "1", "1"}}},
	}
}

func itoa(i int) string { return string(rune('0' + i)) }

var tinyNodes = []tinyNode{
	{"c1", "_FusedConv2D", []string{"x", "w1", "b1", "alpha1"}, convAttr([]string{"BiasAdd", "Prelu"}, 2, "SAME")},
	{"d1", "DepthwiseConv2dNative", []string{"c1", "dw1"}, windowAttr(1, "SAME")},
	{"c2", "_FusedConv2D", []string{"d1", "w2", "b2"}, convAttr([]string{"BiasAdd"}, 1, "VALID")},
	{"a1", "AddV2", []string{"c1", "c2"}, nil},
	{"p1", "Prelu", []string{"a1", "alpha2"}, nil},
	{"m1", "MaxPool", []string{"p1"}, func() map[string]any {
		a := windowAttr(2, "VALID")
		delete(a, "dilations")
		a["ksize"] = map[string]any{"list": map[string]any{"i": []string{"1", "2", "2", "1"}}}
		return a
	}()},
	{"d2", "DepthwiseConv2dNative", []string{"p1", "dw2"}, windowAttr(2, "SAME")},
	{"pad", "Pad", []string{"m1", "pads"}, nil},
	{"c3", "_FusedConv2D", []string{"d2", "w3", "b3"}, convAttr([]string{"BiasAdd", "Relu"}, 1, "VALID")},
	{"a2", "AddV2", []string{"pad", "c3"}, nil},
	{"c4", "_FusedConv2D", []string{"a2", "w4", "b4"}, convAttr([]string{"BiasAdd"}, 2, "VALID")},
	{"r5", "Reshape", []string{"c4", "shape5"}, nil},
	{"sig", "Sigmoid", []string{"r5"}, nil},
	{"out", "Identity", []string{"sig"}, nil},
	{"cat", "ConcatV2", []string{"a2", "pad", "axis"}, map[string]any{"N": map[string]any{"i": "2"}}},
	{"r24", "Reshape", []string{"cat", "shape24"}, nil},
	{"out_2", "Identity", []string{"r24"}, nil},
	{"rl", "Relu", []string{"a2"}, nil},
	{"sh", "AddV2", []string{"rl", "shift"}, nil},
	{"r6", "Reshape", []string{"sh", "shape24"}, nil},
	{"fm1", "_FusedMatMul", []string{"r5", "wm1", "bm1"}, matMulAttr("BiasAdd", "Relu")},
	{"mu", "Mul", []string{"fm1", "scale"}, nil},
	{"ad", "Add", []string{"mu", "offset"}, nil},
	{"fm2", "_FusedMatMul", []string{"ad", "wm2", "bm2"}, matMulAttr("BiasAdd")},
	{"sm", "Softmax", []string{"fm2"}, nil},
	{"out_3", "Identity", []string{"sm"}, nil},
	{"out_4", "Identity", []string{"r6"}, nil},
}

func matMulAttr(fused ...string) map[string]any {
	a := convAttr(fused, 1, "VALID")
	for _, k := range []string{"strides", "padding", "data_format", "dilations"} {
		delete(a, k)
	}
	a["transpose_a"] = map[string]any{"b": false}
	a["transpose_b"] = map[string]any{"b": false}
	return a
}

// tinyModel builds model.json and the weights shard, deterministically.
func tinyModel() (modelJSON, shard []byte) {
	rng := rand.New(rand.NewPCG(19, 2026))
	var nodes []map[string]any
	nodes = append(nodes, map[string]any{"name": "x", "op": "Placeholder", "attr": map[string]any{
		"dtype": map[string]any{"type": "DT_FLOAT"},
		"shape": map[string]any{"shape": map[string]any{"dim": []map[string]any{
			{"size": "-1"}, {"size": "8"}, {"size": "8"}, {"size": "3"}}}},
	}})
	var specs []map[string]any
	for _, w := range tinyWeights {
		spec := map[string]any{"name": w.name, "shape": w.shape, "dtype": "float32"}
		dt := "DT_FLOAT"
		switch w.dtype {
		case "int32":
			spec["dtype"], dt = "int32", "DT_INT32"
			for _, v := range w.ints {
				shard = binary.LittleEndian.AppendUint32(shard, uint32(v))
			}
		case "float16":
			spec["quantization"] = map[string]any{"dtype": "float16", "original_dtype": "float32"}
			for range product(w.shape) {
				shard = binary.LittleEndian.AppendUint16(shard, floatToHalf(float32(rng.NormFloat64()*0.5)))
			}
		default:
			for range product(w.shape) {
				shard = binary.LittleEndian.AppendUint32(shard, math.Float32bits(float32(rng.NormFloat64()*0.5)))
			}
		}
		specs = append(specs, spec)
		nodes = append(nodes, map[string]any{"name": w.name, "op": "Const", "attr": map[string]any{
			"dtype": map[string]any{"type": dt}}})
	}
	for _, n := range tinyNodes {
		d := map[string]any{"name": n.name, "op": n.op, "input": n.inputs}
		if n.attr != nil {
			d["attr"] = n.attr
		}
		nodes = append(nodes, d)
	}
	m := map[string]any{
		"format": "graph-model", "generatedBy": "ventanilla tiny_test.go", "convertedBy": "ventanilla",
		"modelTopology":   map[string]any{"node": nodes, "versions": map[string]any{"producer": 808}},
		"weightsManifest": []map[string]any{{"paths": []string{"tiny.bin"}, "weights": specs}},
	}
	js, err := json.MarshalIndent(m, "", " ")
	if err != nil {
		panic(err)
	}
	return append(js, '\n'), shard
}

// floatToHalf rounds to the nearest binary16 (normal range only; the tiny
// graph's weights are well inside it).
func floatToHalf(f float32) uint16 {
	b := math.Float32bits(f)
	sign := uint16(b>>16) & 0x8000
	exp := int(b>>23&0xff) - 127 + 15
	frac := b & 0x7fffff
	if exp <= 0 {
		return sign
	}
	h := uint32(exp)<<10 | frac>>13
	if frac&0x1fff > 0x1000 || (frac&0x1fff == 0x1000 && h&1 == 1) {
		h++
	}
	return sign | uint16(h)
}

// tinyInput is the fixed 8x8x3 input.
func tinyInput() []float32 {
	in := make([]float32, 8*8*3)
	for i := range in {
		in[i] = float32(math.Sin(float64(i)*0.7)) * 1.5
	}
	return in
}
