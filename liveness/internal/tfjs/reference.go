package tfjs

// The reference kernels: the runtime's first, straightforward
// implementations (whole-image im2col, separate bias, residual and
// activation passes; depthwise one kernel tap at a time over a row; a
// generic elementwise loop). A graph planned with them (loadReference, used
// by the tests only) is the oracle the optimised plan is compared with and
// the baseline its benchmarks are measured against in the same run.

// runReference is the convolution without blocking or fusion.
func (c *conv) runReference() {
	wd := c.wd
	m, k, n := wd.oh*wd.ow, wd.kh*wd.kw*wd.c, len(c.bias)
	a := c.x
	if !c.pointwise() {
		a = c.g.scratch[:m*k]
		im2col(wd, c.x, a)
	}
	for i := 0; i < m; i++ {
		copy(c.out[i*n:(i+1)*n], c.bias)
	}
	gemm(m, k, n, a, c.f, c.out)
	if c.alpha != nil {
		prelu(c.out, c.alpha)
	}
	if c.relu {
		relu(c.out)
	}
}

// planDepthwiseReference plans the reference depthwise kernels.
func planDepthwiseReference(b *builder, wd window, x, f, out []float32) error {
	if wd.sw == 1 {
		if err := b.reserve(wd.kh * wd.kw * wd.ow * wd.c); err != nil {
			return err
		}
		taps := expandTaps(wd, f)
		b.addStep(func() { depthwiseRows(wd, x, taps, out) })
	} else {
		b.addStep(func() { depthwise(wd, x, f, out) })
	}
	return nil
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
// innermost, so every inner loop runs over contiguous memory. It is also the
// fast plan's kernel for the border pixels.
func depthwise(wd window, x, f, out []float32) {
	for oy := 0; oy < wd.oh; oy++ {
		for ox := 0; ox < wd.ow; ox++ {
			depthwisePixel(wd, x, f, oy, ox, out)
		}
	}
}

// depthwisePixel computes one output pixel, skipping taps outside the input.
func depthwisePixel(wd window, x, f []float32, oy, ox int, out []float32) {
	c := wd.c
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

// binaryReference applies f elementwise, y equal-shaped or broadcast over
// the last axis.
func binaryReference(x, y, out []float32, f func(x, y float32) float32) {
	xs := x[:len(out)]
	for i := 0; i < len(xs); i += len(y) {
		o, v := out[i:i+len(y)], xs[i:i+len(y)]
		for j, w := range y {
			o[j] = f(v[j], w)
		}
	}
}
