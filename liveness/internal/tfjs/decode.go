package tfjs

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
)

// Limits that keep a hostile model.json from exhausting memory.
const (
	maxNodes        = 4096
	maxRank         = 4
	maxTensorElems  = 1 << 24 // 16 Mi float32 = 64 MiB
	maxWeightsBytes = 1 << 28
	maxGraphElems   = 1 << 25 // all activations and buffers: 128 MiB
)

// modelFile is the subset of a TF.js graph-model model.json this runtime reads.
type modelFile struct {
	Format        string `json:"format"`
	ModelTopology struct {
		Node []nodeDef `json:"node"`
	} `json:"modelTopology"`
	WeightsManifest []weightGroup `json:"weightsManifest"`
	Signature       struct {
		Inputs  map[string]tensorInfo `json:"inputs"`
		Outputs map[string]tensorInfo `json:"outputs"`
	} `json:"signature"`
}

type tensorInfo struct {
	Name string `json:"name"`
}

type weightGroup struct {
	Paths   []string     `json:"paths"`
	Weights []weightSpec `json:"weights"`
}

type weightSpec struct {
	Name         string `json:"name"`
	Shape        []int  `json:"shape"`
	DType        string `json:"dtype"`
	Quantization *struct {
		DType string `json:"dtype"`
	} `json:"quantization"`
}

type nodeDef struct {
	Name  string               `json:"name"`
	Op    string               `json:"op"`
	Input []string             `json:"input"`
	Attr  map[string]attrValue `json:"attr"`
}

// attrValue is a TensorFlow AttrValue in its JSON (protobuf) encoding: strings
// are base64 (decoded by encoding/json into []byte), int64s are quoted.
type attrValue struct {
	S    []byte   `json:"s"`
	I    *intText `json:"i"`
	F    *float64 `json:"f"`
	B    *bool    `json:"b"`
	Type string   `json:"type"`
	List *struct {
		S [][]byte  `json:"s"`
		I []intText `json:"i"`
	} `json:"list"`
	Shape *struct {
		Dim []struct {
			Size intText `json:"size"`
		} `json:"dim"`
	} `json:"shape"`
}

// intText is an int64 written either as a JSON number or as a quoted string.
type intText int64

func (v *intText) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		b = []byte(s)
	}
	n, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil {
		return fmt.Errorf("integer attribute: %w", err)
	}
	*v = intText(n)
	return nil
}

// constTensor is a decoded weight.
type constTensor struct {
	shape []int
	f     []float32 // float32 weights
	i     []int32   // int32 weights
}

// parseModel decodes model.json and checks the structure this runtime needs.
func parseModel(modelJSON []byte) (*modelFile, error) {
	var m modelFile
	if err := json.Unmarshal(modelJSON, &m); err != nil {
		return nil, fmt.Errorf("tfjs: model.json: %w", err)
	}
	if m.Format != "graph-model" {
		return nil, fmt.Errorf("tfjs: model.json: format %q, want graph-model", m.Format)
	}
	if n := len(m.ModelTopology.Node); n == 0 || n > maxNodes {
		return nil, fmt.Errorf("tfjs: model.json: %d nodes (want 1..%d)", n, maxNodes)
	}
	return &m, nil
}

// decodeWeights splits the concatenated shard bytes of every manifest group
// into named tensors. shards returns the bytes of one path in a group.
func decodeWeights(m *modelFile, shards func(path string) ([]byte, error)) (map[string]*constTensor, error) {
	out := map[string]*constTensor{}
	total := 0
	for _, g := range m.WeightsManifest {
		var buf []byte
		for _, p := range g.Paths {
			b, err := shards(p)
			if err != nil {
				return nil, fmt.Errorf("tfjs: weights shard: %w", err)
			}
			if total += len(b); total > maxWeightsBytes {
				return nil, errors.New("tfjs: weights larger than the limit")
			}
			buf = append(buf, b...)
		}
		rest, err := decodeGroup(g.Weights, buf, out)
		if err != nil {
			return nil, err
		}
		if len(rest) != 0 {
			return nil, fmt.Errorf("tfjs: weights: %d bytes left over after the manifest", len(rest))
		}
	}
	return out, nil
}

func decodeGroup(specs []weightSpec, buf []byte, out map[string]*constTensor) ([]byte, error) {
	for _, s := range specs {
		n, err := numElems(s.Shape)
		if err != nil {
			return nil, fmt.Errorf("tfjs: weight %q: %w", s.Name, err)
		}
		t := &constTensor{shape: append([]int(nil), s.Shape...)}
		buf, err = decodeOne(s, n, buf, t)
		if err != nil {
			return nil, fmt.Errorf("tfjs: weight %q: %w", s.Name, err)
		}
		if _, dup := out[s.Name]; dup {
			return nil, fmt.Errorf("tfjs: weight %q appears twice", s.Name)
		}
		out[s.Name] = t
	}
	return buf, nil
}

func decodeOne(s weightSpec, n int, buf []byte, t *constTensor) ([]byte, error) {
	q := ""
	if s.Quantization != nil {
		q = s.Quantization.DType
	}
	switch {
	case s.DType == "float32" && q == "":
		if len(buf) < 4*n {
			return nil, errors.New("weights data too short")
		}
		t.f = make([]float32, n)
		for i := range t.f {
			t.f[i] = math.Float32frombits(binary.LittleEndian.Uint32(buf[4*i:]))
		}
		return buf[4*n:], nil
	case s.DType == "float32" && q == "float16":
		if len(buf) < 2*n {
			return nil, errors.New("weights data too short")
		}
		t.f = make([]float32, n)
		for i := range t.f {
			t.f[i] = halfToFloat(binary.LittleEndian.Uint16(buf[2*i:]))
		}
		return buf[2*n:], nil
	case s.DType == "int32" && q == "":
		if len(buf) < 4*n {
			return nil, errors.New("weights data too short")
		}
		t.i = make([]int32, n)
		for i := range t.i {
			t.i[i] = int32(binary.LittleEndian.Uint32(buf[4*i:]))
		}
		return buf[4*n:], nil
	}
	return nil, fmt.Errorf("unsupported dtype %q (quantization %q)", s.DType, q)
}

// numElems checks a static shape and returns its element count.
func numElems(shape []int) (int, error) {
	if len(shape) > maxRank {
		return 0, fmt.Errorf("rank %d above %d", len(shape), maxRank)
	}
	n := 1
	for _, d := range shape {
		if d < 0 || d > maxTensorElems {
			return 0, fmt.Errorf("bad dimension %d", d)
		}
		n *= d
		if n > maxTensorElems {
			return 0, errors.New("tensor larger than the limit")
		}
	}
	return n, nil
}

// attr helpers. Each returns an error naming the attribute when it is absent
// or malformed, so an unexpected converter output is rejected, not guessed.

func (n *nodeDef) attrString(key string) (string, bool) {
	a, ok := n.Attr[key]
	if !ok || a.S == nil {
		return "", false
	}
	return string(a.S), true
}

func (n *nodeDef) attrStrings(key string) []string {
	a, ok := n.Attr[key]
	if !ok || a.List == nil {
		return nil
	}
	out := make([]string, len(a.List.S))
	for i, s := range a.List.S {
		out[i] = string(s)
	}
	return out
}

func (n *nodeDef) attrInts(key string) []int {
	a, ok := n.Attr[key]
	if !ok || a.List == nil {
		return nil
	}
	out := make([]int, len(a.List.I))
	for i, v := range a.List.I {
		out[i] = int(v)
	}
	return out
}

// attrBool is false when the attribute is absent.
func (n *nodeDef) attrBool(key string) bool {
	a, ok := n.Attr[key]
	return ok && a.B != nil && *a.B
}
