package tfjs

import (
	"fmt"
	"slices"
)

// buildFusedMatMul plans MatMul + BiasAdd [+ Relu] (the converter's fusion of
// a dense layer): x is 1×k (batch 1), the weights k×n, untransposed.
func buildFusedMatMul(b *builder, n *nodeDef) (*tensor, error) {
	fused := n.attrStrings("fused_ops")
	withRelu := slices.Equal(fused, []string{"BiasAdd", "Relu"})
	if !withRelu && !slices.Equal(fused, []string{"BiasAdd"}) {
		return nil, fmt.Errorf("fused_ops %q not supported", fused)
	}
	if n.attrBool("transpose_a") || n.attrBool("transpose_b") {
		return nil, fmt.Errorf("transposed operands not supported")
	}
	if err := b.wantInputs(n, 3); err != nil {
		return nil, err
	}
	x, w, bias, err := b.convInputs(n)
	if err != nil {
		return nil, err
	}
	if len(x.shape) != 2 || x.shape[0] != 1 || len(w.shape) != 2 || w.shape[0] != x.shape[1] || len(bias.data) != w.shape[1] {
		return nil, fmt.Errorf("shapes %v · %v + %v not supported (want 1×k · k×n + n)", x.shape, w.shape, bias.shape)
	}
	k, cols := w.shape[0], w.shape[1]
	out, err := b.newTensor([]int{1, cols})
	if err != nil {
		return nil, err
	}
	b.addStep(func() {
		copy(out.data, bias.data)
		gemm(1, k, cols, x.data, w.data, out.data)
		if withRelu {
			relu(out.data)
		}
	})
	return out, nil
}
