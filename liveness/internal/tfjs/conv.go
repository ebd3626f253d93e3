package tfjs

import (
	"fmt"
	"slices"
)

// buildFusedConv2D plans Conv2D + BiasAdd [+ Prelu | + Relu] (the
// converter's fusion). Filters are HWIO, so the filter is already the GEMM's
// right-hand matrix.
func buildFusedConv2D(b *builder, n *nodeDef) (*tensor, error) {
	c, out, err := planConv(b, n)
	if err != nil {
		return nil, err
	}
	return out, b.addConv(c)
}

// planConv checks a _FusedConv2D node and allocates its output; the caller
// may add a residual before adding the step.
func planConv(b *builder, n *nodeDef) (*conv, *tensor, error) {
	fused := n.attrStrings("fused_ops")
	prelu := slices.Equal(fused, []string{"BiasAdd", "Prelu"})
	relu := slices.Equal(fused, []string{"BiasAdd", "Relu"})
	if !prelu && !relu && !slices.Equal(fused, []string{"BiasAdd"}) {
		return nil, nil, fmt.Errorf("fused_ops %q not supported", fused)
	}
	if err := b.wantInputs(n, 3+boolInt(prelu)); err != nil {
		return nil, nil, err
	}
	x, f, bias, err := b.convInputs(n)
	if err != nil {
		return nil, nil, err
	}
	if len(f.shape) != 4 {
		return nil, nil, fmt.Errorf("filter shape %v, want HWIO", f.shape)
	}
	wd, err := parseWindow(n, x.shape, f.shape[0], f.shape[1])
	if err != nil {
		return nil, nil, err
	}
	cout := f.shape[3]
	if f.shape[2] != wd.c || len(bias.data) != cout {
		return nil, nil, fmt.Errorf("filter %v and bias %v do not fit input %v", f.shape, bias.shape, x.shape)
	}
	var alpha []float32
	if prelu {
		a, err := b.in(n, 3)
		if err != nil {
			return nil, nil, err
		}
		if len(a.data) != cout {
			return nil, nil, fmt.Errorf("prelu alpha %v, want %d values", a.shape, cout)
		}
		alpha = a.data
	}
	out, err := b.newTensor(wd.outShape(cout))
	if err != nil {
		return nil, nil, err
	}
	return &conv{wd: wd, x: x.data, f: f.data, bias: bias.data, alpha: alpha, relu: relu, out: out.data, g: b.g}, out, nil
}

// addConv sizes the scratch buffer and adds the convolution's step.
func (b *builder) addConv(c *conv) error {
	if b.ref {
		if !c.pointwise() {
			wd := c.wd
			if err := b.needScratch(wd.oh * wd.ow * wd.kh * wd.kw * wd.c); err != nil {
				return err
			}
		}
		b.addStep(c.runReference)
		return nil
	}
	if err := b.needScratch(c.scratchFor()); err != nil {
		return err
	}
	b.addStep(c.run)
	return nil
}

func (b *builder) convInputs(n *nodeDef) (x, f, bias *tensor, err error) {
	if x, err = b.in(n, 0); err != nil {
		return
	}
	if f, err = b.in(n, 1); err != nil {
		return
	}
	bias, err = b.in(n, 2)
	return
}

func boolInt(v bool) int {
	if v {
		return 1
	}
	return 0
}

type conv struct {
	wd         window
	x, f, bias []float32
	res        []float32 // nil, or a residual added before the activation
	alpha      []float32 // nil: no Prelu
	relu       bool
	out        []float32
	g          *Graph // for the shared scratch buffer
}

// pointwise reports a 1x1, stride 1 convolution: the input is the GEMM's
// left-hand matrix as it stands.
func (c *conv) pointwise() bool {
	wd := c.wd
	return wd.kh == 1 && wd.kw == 1 && wd.sh == 1 && wd.sw == 1
}

// convRows is how many output pixels a convolution computes at a time: the
// im2col rows, the GEMM's output rows and the epilogue then stay in the
// first-level cache (32 rows of 288 inputs and 128 outputs are 53 KiB).
const convRows = 32

// scratchFor is the im2col buffer a convolution needs (none when pointwise).
func (c *conv) scratchFor() int {
	if c.pointwise() {
		return 0
	}
	wd := c.wd
	return min(convRows, wd.oh*wd.ow) * wd.kh * wd.kw * wd.c
}

// run computes the convolution a block of output pixels at a time: im2col
// of the block, bias, GEMM, then residual and activation while the block is
// still in cache.
func (c *conv) run() {
	wd := c.wd
	m, k, n := wd.oh*wd.ow, wd.kh*wd.kw*wd.c, len(c.bias)
	for i0 := 0; i0 < m; i0 += convRows {
		i1 := min(m, i0+convRows)
		var a []float32
		if c.pointwise() {
			a = c.x[i0*k : i1*k]
		} else {
			a = c.g.scratch[:(i1-i0)*k]
			im2colRange(wd, c.x, i0, i1, a)
		}
		out := c.out[i0*n : i1*n]
		for i := 0; i < len(out); i += n {
			copy(out[i:i+n], c.bias)
		}
		gemmFast(i1-i0, k, n, a, c.f, out)
		c.finish(out, i0*n)
	}
}

// finish applies the fused epilogue to out, which starts at element at of
// the output: residual, then Prelu or Relu.
func (c *conv) finish(out []float32, at int) {
	if c.res != nil {
		addIntoFast(out, c.res[at:at+len(out)])
	}
	if c.alpha != nil {
		preluFast(out, c.alpha)
	}
	if c.relu {
		relu(out)
	}
}

// addInto does o += r elementwise.
func addInto(o, r []float32) {
	r = r[:len(o)]
	for i, v := range r {
		o[i] += v
	}
}

// im2colRange writes, for output pixels i0..i1-1 (row-major), the kh*kw*c
// input values each one's kernel covers (zeros where the window hangs over
// the edge), in HWC order to match the HWIO filter rows.
func im2colRange(wd window, x []float32, i0, i1 int, col []float32) {
	row := wd.kw * wd.c
	i := 0
	for p := i0; p < i1; p++ {
		oy, ox := p/wd.ow, p%wd.ow
		for ky := 0; ky < wd.kh; ky++ {
			dst := col[i : i+row]
			i += row
			iy := oy*wd.sh - wd.padT + ky
			if iy < 0 || iy >= wd.h {
				clear(dst)
				continue
			}
			im2colRow(wd, x[iy*wd.w*wd.c:(iy+1)*wd.w*wd.c], ox*wd.sw-wd.padL, dst)
		}
	}
}

// im2col is im2colRange over every output pixel.
func im2col(wd window, x, col []float32) { im2colRange(wd, x, 0, wd.oh*wd.ow, col) }

// im2colRow copies kw pixels of one input row starting at column ix0.
func im2colRow(wd window, line []float32, ix0 int, dst []float32) {
	for kx := 0; kx < wd.kw; kx++ {
		d := dst[kx*wd.c : (kx+1)*wd.c]
		ix := ix0 + kx
		if ix < 0 || ix >= wd.w {
			clear(d)
			continue
		}
		copy(d, line[ix*wd.c:(ix+1)*wd.c])
	}
}

// prelu applies x<0 ? alpha[c]*x : x with alpha broadcast over the last
// axis. It is written without a branch: the sign of an activation is
// unpredictable and a mispredicted branch per value costs more than the
// arithmetic.
func prelu(x, alpha []float32) {
	c := len(alpha)
	for i := 0; i+c <= len(x); i += c {
		v := x[i : i+c]
		for j, a := range alpha[:len(v)] {
			v[j] = max(v[j], 0) + a*min(v[j], 0)
		}
	}
}
