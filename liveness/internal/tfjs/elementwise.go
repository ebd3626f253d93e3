package tfjs

import (
	"fmt"
	"math"
	"slices"
)

// buildAdd plans Add and AddV2: two tensors of the same shape, or a tensor
// and a vector broadcast over its last axis (a folded batch normalisation).
func buildAdd(b *builder, n *nodeDef) (*tensor, error) {
	return buildBinary(b, n, addKernel, func(x, y float32) float32 { return x + y })
}

// buildMul plans Mul, with the same shapes as buildAdd.
func buildMul(b *builder, n *nodeDef) (*tensor, error) {
	return buildBinary(b, n, mulKernel, func(x, y float32) float32 { return x * y })
}

// addKernel and mulKernel do o = x op y over equal lengths.
func addKernel(o, x, y []float32) {
	x, y = x[:len(o)], y[:len(o)]
	for i := range o {
		o[i] = x[i] + y[i]
	}
}

func mulKernel(o, x, y []float32) {
	x, y = x[:len(o)], y[:len(o)]
	for i := range o {
		o[i] = x[i] * y[i]
	}
}

// buildBinary plans kernel (fast plan) or f (reference plan) over x and y,
// y equal-shaped or a vector broadcast over x's last axis.
func buildBinary(b *builder, n *nodeDef, kernel func(o, x, y []float32), f func(x, y float32) float32) (*tensor, error) {
	x, y, err := b.pair(n)
	if err != nil {
		return nil, err
	}
	if !slices.Equal(x.shape, y.shape) && !lastAxis(x.shape, y) {
		return nil, fmt.Errorf("shapes %v and %v: only equal shapes or a last-axis vector are supported", x.shape, y.shape)
	}
	out, err := b.newTensor(slices.Clone(x.shape))
	if err != nil {
		return nil, err
	}
	if b.ref {
		b.addStep(func() { binaryReference(x.data, y.data, out.data, f) })
		return out, nil
	}
	b.addStep(func() {
		ys := y.data
		for i := 0; i < len(out.data); i += len(ys) {
			kernel(out.data[i:i+len(ys)], x.data[i:i+len(ys)], ys)
		}
	})
	return out, nil
}

// lastAxis reports whether y is a vector (any leading 1s) as long as x's
// last axis.
func lastAxis(x []int, y *tensor) bool {
	if len(x) == 0 || len(y.data) != x[len(x)-1] || len(y.shape) > len(x) {
		return false
	}
	for _, d := range y.shape[:max(len(y.shape)-1, 0)] {
		if d != 1 {
			return false
		}
	}
	return true
}

// buildPrelu plans Prelu with alpha broadcast over the last axis.
func buildPrelu(b *builder, n *nodeDef) (*tensor, error) {
	if t, ok, err := fusePrelu(b, n); ok || err != nil {
		return t, err
	}
	x, a, err := b.pair(n)
	if err != nil {
		return nil, err
	}
	if len(x.shape) == 0 || len(a.data) != x.shape[len(x.shape)-1] {
		return nil, fmt.Errorf("alpha %v does not match the last axis of %v", a.shape, x.shape)
	}
	out, err := b.newTensor(slices.Clone(x.shape))
	if err != nil {
		return nil, err
	}
	b.addStep(func() {
		copy(out.data, x.data)
		prelu(out.data, a.data)
	})
	return out, nil
}

// buildSigmoid plans the logistic function.
func buildSigmoid(b *builder, n *nodeDef) (*tensor, error) {
	if err := b.wantInputs(n, 1); err != nil {
		return nil, err
	}
	x, err := b.in(n, 0)
	if err != nil {
		return nil, err
	}
	out, err := b.newTensor(slices.Clone(x.shape))
	if err != nil {
		return nil, err
	}
	b.addStep(func() {
		for i, v := range x.data[:len(out.data)] {
			out.data[i] = float32(1 / (1 + math.Exp(-float64(v))))
		}
	})
	return out, nil
}

// buildIdentity aliases its input: no step, no copy.
func buildIdentity(b *builder, n *nodeDef) (*tensor, error) {
	if err := b.wantInputs(n, 1); err != nil {
		return nil, err
	}
	return b.in(n, 0)
}

// buildReshape aliases its input under a new shape (one -1 allowed).
func buildReshape(b *builder, n *nodeDef) (*tensor, error) {
	if err := b.wantInputs(n, 2); err != nil {
		return nil, err
	}
	x, err := b.in(n, 0)
	if err != nil {
		return nil, err
	}
	dims, err := b.intConst(n, 1)
	if err != nil {
		return nil, err
	}
	shape, err := reshape(len(x.data), dims)
	if err != nil {
		return nil, err
	}
	return &tensor{shape: shape, data: x.data}, nil
}

func reshape(total int, dims []int32) ([]int, error) {
	if len(dims) == 0 || len(dims) > maxRank {
		return nil, fmt.Errorf("shape %v not supported", dims)
	}
	shape, known, infer := make([]int, len(dims)), 1, -1
	for i, d := range dims {
		switch {
		case d == -1 && infer < 0:
			infer = i
		case d > 0 && int(d) <= total:
			shape[i] = int(d)
			known *= int(d)
		default:
			return nil, fmt.Errorf("shape %v not supported", dims)
		}
	}
	if infer >= 0 && known > 0 && total%known == 0 {
		shape[infer] = total / known
		known = total
	}
	if known != total {
		return nil, fmt.Errorf("shape %v does not hold %d values", dims, total)
	}
	return shape, nil
}

func (b *builder) pair(n *nodeDef) (x, y *tensor, err error) {
	if err = b.wantInputs(n, 2); err != nil {
		return
	}
	if x, err = b.in(n, 0); err != nil {
		return
	}
	y, err = b.in(n, 1)
	return
}

// buildRelu plans max(x, 0).
func buildRelu(b *builder, n *nodeDef) (*tensor, error) {
	x, err := b.unary(n)
	if err != nil {
		return nil, err
	}
	out, err := b.newTensor(slices.Clone(x.shape))
	if err != nil {
		return nil, err
	}
	b.addStep(func() {
		copy(out.data, x.data)
		relu(out.data)
	})
	return out, nil
}

func relu(x []float32) {
	for i, v := range x {
		x[i] = max(v, 0)
	}
}

// buildSoftmax plans softmax over the last axis, computed in float64 after
// subtracting the row maximum so that large logits cannot overflow.
func buildSoftmax(b *builder, n *nodeDef) (*tensor, error) {
	x, err := b.unary(n)
	if err != nil {
		return nil, err
	}
	if len(x.shape) == 0 {
		return nil, fmt.Errorf("softmax of a scalar")
	}
	out, err := b.newTensor(slices.Clone(x.shape))
	if err != nil {
		return nil, err
	}
	c := x.shape[len(x.shape)-1]
	b.addStep(func() {
		for i := 0; i+c <= len(out.data); i += c {
			softmax(x.data[i:i+c], out.data[i:i+c])
		}
	})
	return out, nil
}

func softmax(x, out []float32) {
	top := x[0]
	for _, v := range x {
		top = max(top, v)
	}
	sum := 0.0
	for i, v := range x {
		e := math.Exp(float64(v - top))
		out[i] = float32(e)
		sum += e
	}
	for i := range out {
		out[i] = float32(float64(out[i]) / sum)
	}
}

func (b *builder) unary(n *nodeDef) (*tensor, error) {
	if err := b.wantInputs(n, 1); err != nil {
		return nil, err
	}
	return b.in(n, 0)
}
