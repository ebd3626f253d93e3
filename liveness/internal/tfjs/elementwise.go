package tfjs

import (
	"fmt"
	"math"
	"slices"
)

// buildAdd plans AddV2 of two tensors of the same shape (no broadcasting).
func buildAdd(b *builder, n *nodeDef) (*tensor, error) {
	x, y, err := b.pair(n)
	if err != nil {
		return nil, err
	}
	if !slices.Equal(x.shape, y.shape) {
		return nil, fmt.Errorf("shapes %v and %v differ (broadcasting not supported)", x.shape, y.shape)
	}
	out, err := b.newTensor(slices.Clone(x.shape))
	if err != nil {
		return nil, err
	}
	b.addStep(func() {
		o, xs, ys := out.data, x.data[:len(out.data)], y.data[:len(out.data)]
		for i := range o {
			o[i] = xs[i] + ys[i]
		}
	})
	return out, nil
}

// buildPrelu plans Prelu with alpha broadcast over the last axis.
func buildPrelu(b *builder, n *nodeDef) (*tensor, error) {
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
