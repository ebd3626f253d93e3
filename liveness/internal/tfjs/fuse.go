package tfjs

import "slices"

// The fast plan folds the residual connection of MobileNet-style blocks,
// Prelu(AddV2(_FusedConv2D[BiasAdd](...), skip)), into the convolution's
// epilogue: the sum and the activation are applied to each block of output
// rows while it is in cache, and the two intermediate tensors and their
// passes over memory disappear. The reference plan does not fuse.

// fusePrelu plans n (a Prelu) as one convolution step if its input is such
// an addition and neither intermediate has another consumer. ok is false
// when the pattern does not apply; nothing has been planned then.
func fusePrelu(b *builder, n *nodeDef) (t *tensor, ok bool, err error) {
	if b.ref || len(n.Input) != 2 {
		return nil, false, nil
	}
	add, ok := b.single(n.Input[0], "AddV2", "Add")
	if !ok || len(add.Input) != 2 {
		return nil, false, nil
	}
	for i := range 2 {
		cv, ok := b.single(add.Input[i], "_FusedConv2D")
		if !ok || !slices.Equal(cv.attrStrings("fused_ops"), []string{"BiasAdd"}) {
			continue
		}
		return b.planResidual(n, add, cv, add.Input[1-i])
	}
	return nil, false, nil
}

// single returns the node an input names if it has one of the ops, has not
// been planned yet, and this is its only consumer (it is no graph output).
func (b *builder) single(input string, ops ...string) (*nodeDef, bool) {
	name, err := nodeRef(input)
	if err != nil {
		return nil, false
	}
	nd, ok := b.nodes[name]
	if !ok || b.uses[name] != 1 || !slices.Contains(ops, nd.Op) {
		return nil, false
	}
	if _, built := b.values[name]; built {
		return nil, false
	}
	return nd, true
}

// planResidual plans prelu(conv + skip) as one step.
func (b *builder) planResidual(pr, add, cv *nodeDef, skip string) (*tensor, bool, error) {
	alpha, err := b.in(pr, 1)
	if err != nil {
		return nil, false, err
	}
	name, err := nodeRef(skip)
	if err != nil {
		return nil, false, err
	}
	res, err := b.value(name)
	if err != nil {
		return nil, false, err
	}
	c, out, err := planConv(b, cv)
	if err != nil {
		return nil, false, err
	}
	if !slices.Equal(res.shape, out.shape) || len(alpha.data) != out.shape[len(out.shape)-1] || c.alpha != nil {
		// Shapes the fused step does not cover: plan the nodes one by one.
		// The conv's output allocated above stays unused.
		return nil, false, nil
	}
	c.res, c.alpha = res.data, alpha.data
	b.ops[add.Op], b.ops[cv.Op] = true, true
	if err := b.addConv(c); err != nil {
		return nil, false, err
	}
	b.g.stepOp = append(b.g.stepOp, cv.Op+"+"+add.Op+"+"+pr.Op)
	return out, true, nil
}
