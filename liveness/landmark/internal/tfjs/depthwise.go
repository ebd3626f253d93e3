package tfjs

import "fmt"

// buildDepthwise plans DepthwiseConv2dNative with a channel multiplier of 1.
func buildDepthwise(b *builder, n *nodeDef) (*tensor, error) {
	if err := b.wantInputs(n, 2); err != nil {
		return nil, err
	}
	x, err := b.in(n, 0)
	if err != nil {
		return nil, err
	}
	f, err := b.in(n, 1)
	if err != nil {
		return nil, err
	}
	if len(f.shape) != 4 || f.shape[3] != 1 {
		return nil, fmt.Errorf("filter shape %v, want [kh kw c 1]", f.shape)
	}
	wd, err := parseWindow(n, x.shape, f.shape[0], f.shape[1])
	if err != nil {
		return nil, err
	}
	if f.shape[2] != wd.c {
		return nil, fmt.Errorf("filter %v does not fit input %v", f.shape, x.shape)
	}
	out, err := newTensor(wd.outShape(wd.c))
	if err != nil {
		return nil, err
	}
	b.addStep(func() { depthwise(wd, x.data, f.data, out.data) })
	return out, nil
}

// depthwise convolves each channel with its own kh×kw kernel. Channels are
// innermost, so every inner loop runs over contiguous memory.
func depthwise(wd window, x, f, out []float32) {
	c := wd.c
	for oy := 0; oy < wd.oh; oy++ {
		for ox := 0; ox < wd.ow; ox++ {
			o := out[(oy*wd.ow+ox)*c : (oy*wd.ow+ox+1)*c]
			clear(o)
			for ky := 0; ky < wd.kh; ky++ {
				iy := oy*wd.sh - wd.padT + ky
				if iy < 0 || iy >= wd.h {
					continue
				}
				depthwiseRow(wd, x[iy*wd.w*c:(iy+1)*wd.w*c], f[ky*wd.kw*c:(ky+1)*wd.kw*c], ox*wd.sw-wd.padL, o)
			}
		}
	}
}

func depthwiseRow(wd window, line, frow []float32, ix0 int, o []float32) {
	c := len(o)
	for kx := 0; kx < wd.kw; kx++ {
		ix := ix0 + kx
		if ix < 0 || ix >= wd.w {
			continue
		}
		in := line[ix*c : (ix+1)*c]
		w := frow[kx*c : (kx+1)*c]
		in, w = in[:len(o)], w[:len(o)]
		for j := range o {
			o[j] += in[j] * w[j]
		}
	}
}
