package tfjs

import (
	"fmt"
	"slices"
)

// buildConcat plans ConcatV2: N float tensors of equal rank, then an int32
// Const axis (negative counts from the end).
func buildConcat(b *builder, n *nodeDef) (*tensor, error) {
	k := len(n.Input) - 1
	if k < 1 {
		return nil, fmt.Errorf("%d inputs, want at least 2", len(n.Input))
	}
	ax, err := b.intConst(n, k)
	if err != nil {
		return nil, err
	}
	ins := make([]*tensor, k)
	for i := range ins {
		if ins[i], err = b.in(n, i); err != nil {
			return nil, err
		}
	}
	axis, shape, err := concatShape(ins, ax)
	if err != nil {
		return nil, err
	}
	out, err := b.newTensor(shape)
	if err != nil {
		return nil, err
	}
	b.addStep(func() { concat(ins, axis, out) })
	return out, nil
}

// concatShape checks that the inputs agree on every axis but axis.
func concatShape(ins []*tensor, ax []int32) (int, []int, error) {
	rank := len(ins[0].shape)
	if len(ax) != 1 || int(ax[0]) < -rank || int(ax[0]) >= rank {
		return 0, nil, fmt.Errorf("axis %v for rank %d", ax, rank)
	}
	axis := (int(ax[0]) + rank) % rank
	shape := slices.Clone(ins[0].shape)
	for _, t := range ins[1:] {
		if len(t.shape) != rank {
			return 0, nil, fmt.Errorf("ranks %d and %d differ", rank, len(t.shape))
		}
		for i, d := range t.shape {
			if i != axis && d != shape[i] {
				return 0, nil, fmt.Errorf("shapes %v and %v differ off axis %d", ins[0].shape, t.shape, axis)
			}
		}
		shape[axis] += t.shape[axis]
	}
	return axis, shape, nil
}

// concat interleaves, for each index of the axes before axis, each input's
// contiguous block.
func concat(ins []*tensor, axis int, out *tensor) {
	outer := product(out.shape[:axis])
	at := 0
	for o := 0; o < outer; o++ {
		for _, t := range ins {
			block := len(t.data) / outer
			at += copy(out.data[at:], t.data[o*block:(o+1)*block])
		}
	}
}

func product(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}
