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
	if b.ref {
		return out, planDepthwiseReference(b, wd, x.data, f.data, out.data)
	}
	b.addStep(func() { depthwiseFast(wd, x.data, f.data, out.data) })
	return out, nil
}

// depthwiseFast computes a depthwise convolution with a specialised kernel
// for the 3x3 windows whose taps all fall inside the input (all but a
// one-pixel border), and the general per-pixel kernel elsewhere.
func depthwiseFast(wd window, x, f, out []float32) {
	if wd.kh != 3 || wd.kw != 3 {
		depthwise(wd, x, f, out)
		return
	}
	oy0, oy1 := interior(wd.padT, wd.sh, wd.kh, wd.h, wd.oh)
	ox0, ox1 := interior(wd.padL, wd.sw, wd.kw, wd.w, wd.ow)
	c, line := wd.c, wd.w*wd.c
	for oy := 0; oy < wd.oh; oy++ {
		if oy < oy0 || oy >= oy1 {
			for ox := 0; ox < wd.ow; ox++ {
				depthwisePixel(wd, x, f, oy, ox, out)
			}
			continue
		}
		for ox := 0; ox < ox0; ox++ {
			depthwisePixel(wd, x, f, oy, ox, out)
		}
		at := (oy*wd.sh - wd.padT) * line
		r0, r1, r2 := x[at:at+line], x[at+line:at+2*line], x[at+2*line:at+3*line]
		for ox := ox0; ox < ox1; ox++ {
			ix := (ox*wd.sw - wd.padL) * c
			o := out[(oy*wd.ow+ox)*c : (oy*wd.ow+ox+1)*c]
			depthwise3x3(r0[ix:ix+3*c], r1[ix:ix+3*c], r2[ix:ix+3*c], f[:9*c], o)
		}
		for ox := max(ox1, ox0); ox < wd.ow; ox++ {
			depthwisePixel(wd, x, f, oy, ox, out)
		}
	}
}

// interior returns the output positions [o0, o1) whose k taps all lie
// inside an input of size in (pad leading padding, stride s).
func interior(pad, s, k, in, out int) (o0, o1 int) {
	o0 = (pad + s - 1) / s
	o1 = 0
	if in-k+pad >= 0 {
		o1 = (in-k+pad)/s + 1
	}
	o1 = min(o1, out)
	o0 = min(o0, o1)
	return o0, o1
}

// depthwise3x3Go sums the nine taps of one output pixel in registers: rows
// r0..r2 hold three input pixels each (3c values), f the HWC filter. The
// taps are added in the same order as the reference kernel, so the result
// is identical to it.
func depthwise3x3Go(r0, r1, r2, f, o []float32) {
	c := len(o)
	a0, a1, a2 := r0[:c], r0[c:2*c], r0[2*c:3*c]
	b0, b1, b2 := r1[:c], r1[c:2*c], r1[2*c:3*c]
	d0, d1, d2 := r2[:c], r2[c:2*c], r2[2*c:3*c]
	w := f[:9*c]
	w0, w1, w2 := w[:c], w[c:2*c], w[2*c:3*c]
	w3, w4, w5 := w[3*c:4*c], w[4*c:5*c], w[5*c:6*c]
	w6, w7, w8 := w[6*c:7*c], w[7*c:8*c], w[8*c:9*c]
	for j := range o {
		s := a0[j] * w0[j]
		s += a1[j] * w1[j]
		s += a2[j] * w2[j]
		s += b0[j] * w3[j]
		s += b1[j] * w4[j]
		s += b2[j] * w5[j]
		s += d0[j] * w6[j]
		s += d1[j] * w7[j]
		s += d2[j] * w8[j]
		o[j] = s
	}
}
