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
	out, err := b.newTensor(wd.outShape(wd.c))
	if err != nil {
		return nil, err
	}
	if wd.sw == 1 {
		if err := b.reserve(wd.kh * wd.kw * wd.ow * wd.c); err != nil {
			return nil, err
		}
		taps := expandTaps(wd, f.data)
		b.addStep(func() { depthwiseRows(wd, x.data, taps, out.data) })
	} else {
		b.addStep(func() { depthwise(wd, x.data, f.data, out.data) })
	}
	return out, nil
}

// expandTaps repeats each kernel tap's c weights across an output row
// (ow*c values per tap), so that with a column stride of 1 a whole row of
// one tap is a single contiguous multiply-add.
func expandTaps(wd window, f []float32) [][]float32 {
	c := wd.c
	taps := make([][]float32, wd.kh*wd.kw)
	for t := range taps {
		row := make([]float32, wd.ow*c)
		for ox := 0; ox < wd.ow; ox++ {
			copy(row[ox*c:(ox+1)*c], f[t*c:(t+1)*c])
		}
		taps[t] = row
	}
	return taps
}

// depthwiseRows is depthwise for a column stride of 1, a row at a time.
func depthwiseRows(wd window, x []float32, taps [][]float32, out []float32) {
	c, rowLen := wd.c, wd.ow*wd.c
	for oy := 0; oy < wd.oh; oy++ {
		o := out[oy*rowLen : (oy+1)*rowLen]
		clear(o)
		for ky := 0; ky < wd.kh; ky++ {
			iy := oy*wd.sh - wd.padT + ky
			if iy < 0 || iy >= wd.h {
				continue
			}
			line := x[iy*wd.w*c : (iy+1)*wd.w*c]
			for kx := 0; kx < wd.kw; kx++ {
				ox0 := max(0, wd.padL-kx)
				ox1 := min(wd.ow, wd.w+wd.padL-kx)
				if ox0 >= ox1 {
					continue
				}
				ix0 := ox0 - wd.padL + kx
				multiplyAdd(o[ox0*c:ox1*c], line[ix0*c:], taps[ky*wd.kw+kx][ox0*c:])
			}
		}
	}
}

// multiplyAdd does o += a*b elementwise over len(o).
func multiplyAdd(o, a, b []float32) {
	a, b = a[:len(o)], b[:len(o)]
	for i := range o {
		o[i] += a[i] * b[i]
	}
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
