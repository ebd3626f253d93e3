package tfjs

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// tensor is a float32 NHWC activation (or any row-major float tensor).
type tensor struct {
	shape []int
	data  []float32
}

// Graph is a loaded model with every buffer allocated. Fill [Graph.Input],
// call [Graph.Run], then read [Graph.Output]. Not safe for concurrent use.
type Graph struct {
	steps   []func()
	stepOp  []string // op of each step, for per-op profiles in tests
	input   *tensor
	outputs map[string]*tensor // by signature key and by node name
	ops     []string           // op of every executed node, sorted, unique
	scratch []float32          // shared im2col buffer
}

// opBuilder checks a node, infers its output shape, allocates the output and
// appends the node's step to the plan.
type opBuilder func(b *builder, n *nodeDef) (*tensor, error)

// builders is filled by init: the builders reach it again through
// builder.value, which a package-level initialiser may not do.
var builders map[string]opBuilder

func init() {
	builders = map[string]opBuilder{
		"_FusedConv2D":          buildFusedConv2D,
		"DepthwiseConv2dNative": buildDepthwise,
		"AddV2":                 buildAdd,
		"ConcatV2":              buildConcat,
		"Prelu":                 buildPrelu,
		"MaxPool":               buildMaxPool,
		"Pad":                   buildPad,
		"Reshape":               buildReshape,
		"Identity":              buildIdentity,
		"Sigmoid":               buildSigmoid,
		"Relu":                  buildRelu,
		"Mul":                   buildMul,
		"Add":                   buildAdd,
		"_FusedMatMul":          buildFusedMatMul,
		"Softmax":               buildSoftmax,
	}
}

// Supported lists the ops a graph may use besides Placeholder and Const.
func Supported() []string {
	ops := make([]string, 0, len(builders))
	for op := range builders {
		ops = append(ops, op)
	}
	slices.Sort(ops)
	return ops
}

// Load decodes model.json and its weight shards (shards returns the bytes of
// a path named in the manifest) and plans the graph for batch size 1.
func Load(modelJSON []byte, shards func(path string) ([]byte, error)) (*Graph, error) {
	return load(modelJSON, shards, false)
}

// load plans the graph with the fast kernels, or with the reference ones
// (ref: the tests' oracle and the benchmarks' baseline).
func load(modelJSON []byte, shards func(path string) ([]byte, error), ref bool) (*Graph, error) {
	m, err := parseModel(modelJSON)
	if err != nil {
		return nil, err
	}
	weights, err := decodeWeights(m, shards)
	if err != nil {
		return nil, err
	}
	b := newBuilder(m, weights)
	b.ref = ref
	if err := b.build(); err != nil {
		return nil, err
	}
	return b.g, nil
}

// Input is the input buffer (NHWC, batch 1) that the next Run reads.
func (g *Graph) Input() []float32 { return g.input.data }

// InputShape is the input tensor's shape with the batch fixed at 1.
func (g *Graph) InputShape() []int { return slices.Clone(g.input.shape) }

// Ops lists the distinct ops the graph executes.
func (g *Graph) Ops() []string { return slices.Clone(g.ops) }

// Run executes the graph on the current input. It allocates nothing.
func (g *Graph) Run() {
	for _, s := range g.steps {
		s()
	}
}

// Output returns the buffer of an output, by signature key (such as
// "output_mesh") or node name; it is overwritten by the next Run.
func (g *Graph) Output(name string) ([]float32, bool) {
	t, ok := g.outputs[name]
	if !ok {
		return nil, false
	}
	return t.data, true
}

type builder struct {
	m       *modelFile
	g       *Graph
	nodes   map[string]*nodeDef
	weights map[string]*constTensor
	values  map[string]*tensor // built float tensors by node name
	active  map[string]bool    // on the DFS stack (cycle check)
	ops     map[string]bool
	scratch int            // im2col buffer size
	elems   int            // float32s allocated so far
	uses    map[string]int // consumers of each node (graph outputs count)
	ref     bool           // plan the reference kernels, without fusion
}

func newBuilder(m *modelFile, w map[string]*constTensor) *builder {
	b := &builder{m: m, g: &Graph{outputs: map[string]*tensor{}}, nodes: map[string]*nodeDef{},
		weights: w, values: map[string]*tensor{}, active: map[string]bool{}, ops: map[string]bool{},
		uses: map[string]int{}}
	for i := range m.ModelTopology.Node {
		n := &m.ModelTopology.Node[i]
		b.nodes[n.Name] = n
		for _, in := range n.Input {
			if name, err := nodeRef(in); err == nil {
				b.uses[name]++
			}
		}
	}
	for _, info := range m.Signature.Outputs {
		if name, err := nodeRef(info.Name); err == nil {
			b.uses[name]++
		}
	}
	return b
}

func (b *builder) build() error {
	outs, err := b.outputNames()
	if err != nil {
		return err
	}
	for key, name := range outs {
		t, err := b.value(name)
		if err != nil {
			return err
		}
		b.g.outputs[key] = t
		b.g.outputs[name] = t
	}
	if b.g.input == nil {
		return errors.New("tfjs: the outputs do not depend on a Placeholder input")
	}
	for op := range b.ops {
		b.g.ops = append(b.g.ops, op)
	}
	slices.Sort(b.g.ops)
	b.g.scratch = make([]float32, b.scratch)
	return nil
}

// outputNames maps signature keys to node names; without a signature, every
// node that no other node consumes is an output, keyed by its name.
func (b *builder) outputNames() (map[string]string, error) {
	out := map[string]string{}
	for key, info := range b.m.Signature.Outputs {
		name, err := nodeRef(info.Name)
		if err != nil {
			return nil, err
		}
		out[key] = name
	}
	if len(out) > 0 {
		return out, nil
	}
	used := map[string]bool{}
	for _, n := range b.nodes {
		for _, in := range n.Input {
			name, _ := nodeRef(in)
			used[name] = true
		}
	}
	for name, n := range b.nodes {
		if !used[name] && n.Op != "Const" {
			out[name] = name
		}
	}
	return out, nil
}

// nodeRef turns "name" or "name:0" into a node name; other output indices and
// control inputs ("^name") are not supported.
func nodeRef(s string) (string, error) {
	if strings.HasPrefix(s, "^") {
		return "", fmt.Errorf("tfjs: control input %q not supported", s)
	}
	if i := strings.LastIndexByte(s, ':'); i >= 0 {
		if s[i+1:] != "0" {
			return "", fmt.Errorf("tfjs: input %q: only output 0 is supported", s)
		}
		s = s[:i]
	}
	return s, nil
}

// value builds (once) the float tensor a node produces, building its inputs
// first (depth-first, so node order in model.json does not matter).
func (b *builder) value(name string) (*tensor, error) {
	if t, ok := b.values[name]; ok {
		return t, nil
	}
	n, ok := b.nodes[name]
	if !ok {
		return nil, fmt.Errorf("tfjs: node %q not found", name)
	}
	if b.active[name] {
		return nil, fmt.Errorf("tfjs: cycle through node %q", name)
	}
	b.active[name] = true
	defer delete(b.active, name)
	t, err := b.buildNode(n)
	if err != nil {
		return nil, err
	}
	b.values[name] = t
	return t, nil
}

func (b *builder) buildNode(n *nodeDef) (*tensor, error) {
	switch n.Op {
	case "Placeholder":
		return b.placeholder(n)
	case "Const":
		w, ok := b.weights[n.Name]
		if !ok || w.f == nil {
			return nil, fmt.Errorf("tfjs: const %q: no float32 weight of that name", n.Name)
		}
		return &tensor{shape: w.shape, data: w.f}, nil
	}
	op, ok := builders[n.Op]
	if !ok {
		return nil, fmt.Errorf("tfjs: node %q: unsupported op %q (supported: %s)", n.Name, n.Op, strings.Join(Supported(), ", "))
	}
	b.ops[n.Op] = true
	t, err := op(b, n)
	if err != nil {
		return nil, fmt.Errorf("tfjs: %s %q: %w", n.Op, n.Name, err)
	}
	for len(b.g.stepOp) < len(b.g.steps) {
		b.g.stepOp = append(b.g.stepOp, n.Op)
	}
	return t, nil
}

func (b *builder) placeholder(n *nodeDef) (*tensor, error) {
	if b.g.input != nil {
		return nil, errors.New("tfjs: more than one Placeholder input")
	}
	a, ok := n.Attr["shape"]
	if !ok || a.Shape == nil || len(a.Shape.Dim) != 4 {
		return nil, fmt.Errorf("tfjs: input %q: want a 4-D NHWC shape", n.Name)
	}
	shape := make([]int, 4)
	for i, d := range a.Shape.Dim {
		shape[i] = int(d.Size)
		if i == 0 && d.Size == -1 {
			shape[i] = 1
		}
	}
	if shape[0] != 1 {
		return nil, fmt.Errorf("tfjs: input %q: batch %d, want 1 or -1", n.Name, shape[0])
	}
	t, err := b.newTensor(shape)
	if err != nil {
		return nil, fmt.Errorf("tfjs: input %q: %w", n.Name, err)
	}
	b.g.input = t
	return t, nil
}

// newTensor allocates a zeroed tensor after checking the shape and the
// graph's memory budget.
func (b *builder) newTensor(shape []int) (*tensor, error) {
	n, err := numElems(shape)
	if err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, errors.New("empty tensor")
	}
	if err := b.reserve(n); err != nil {
		return nil, err
	}
	return &tensor{shape: shape, data: make([]float32, n)}, nil
}

// reserve counts n float32s against the graph's memory budget.
func (b *builder) reserve(n int) error {
	if n < 0 || n > maxGraphElems-b.elems {
		return errors.New("graph needs more memory than the limit")
	}
	b.elems += n
	return nil
}

// in returns the i-th input of n as a float tensor.
func (b *builder) in(n *nodeDef, i int) (*tensor, error) {
	if i >= len(n.Input) {
		return nil, fmt.Errorf("missing input %d", i)
	}
	name, err := nodeRef(n.Input[i])
	if err != nil {
		return nil, err
	}
	return b.value(name)
}

// intConst returns the i-th input of n, which must be an int32 Const.
func (b *builder) intConst(n *nodeDef, i int) ([]int32, error) {
	if i >= len(n.Input) {
		return nil, fmt.Errorf("missing input %d", i)
	}
	name, err := nodeRef(n.Input[i])
	if err != nil {
		return nil, err
	}
	c, ok := b.nodes[name]
	w := b.weights[name]
	if !ok || c.Op != "Const" || w == nil || w.i == nil {
		return nil, fmt.Errorf("input %q must be an int32 Const", name)
	}
	return w.i, nil
}

func (b *builder) wantInputs(n *nodeDef, k int) error {
	if len(n.Input) != k {
		return fmt.Errorf("%d inputs, want %d", len(n.Input), k)
	}
	return nil
}

func (b *builder) addStep(f func()) { b.g.steps = append(b.g.steps, f) }

// needScratch sizes the shared im2col buffer (dimensions are already
// bounded, so the product cannot overflow).
func (b *builder) needScratch(n int) error {
	if n > maxTensorElems {
		return errors.New("im2col buffer larger than the limit")
	}
	if n > b.scratch {
		if err := b.reserve(n - b.scratch); err != nil {
			return err
		}
		b.scratch = n
	}
	return nil
}
