package tfjs

import (
	"fmt"
	"slices"
)

// buildFusedConv2D plans Conv2D + BiasAdd [+ Prelu | + Relu] (the
// converter's fusion). Filters are HWIO, so the filter is already the GEMM's
// right-hand matrix.
func buildFusedConv2D(b *builder, n *nodeDef) (*tensor, error) {
	fused := n.attrStrings("fused_ops")
	prelu := slices.Equal(fused, []string{"BiasAdd", "Prelu"})
	relu := slices.Equal(fused, []string{"BiasAdd", "Relu"})
	if !prelu && !relu && !slices.Equal(fused, []string{"BiasAdd"}) {
		return nil, fmt.Errorf("fused_ops %q not supported", fused)
	}
	if err := b.wantInputs(n, 3+boolInt(prelu)); err != nil {
		return nil, err
	}
	x, f, bias, err := b.convInputs(n)
	if err != nil {
		return nil, err
	}
	if len(f.shape) != 4 {
		return nil, fmt.Errorf("filter shape %v, want HWIO", f.shape)
	}
	wd, err := parseWindow(n, x.shape, f.shape[0], f.shape[1])
	if err != nil {
		return nil, err
	}
	cout := f.shape[3]
	if f.shape[2] != wd.c || len(bias.data) != cout {
		return nil, fmt.Errorf("filter %v and bias %v do not fit input %v", f.shape, bias.shape, x.shape)
	}
	var alpha []float32
	if prelu {
		a, err := b.in(n, 3)
		if err != nil {
			return nil, err
		}
		if len(a.data) != cout {
			return nil, fmt.Errorf("prelu alpha %v, want %d values", a.shape, cout)
		}
		alpha = a.data
	}
	out, err := b.newTensor(wd.outShape(cout))
	if err != nil {
		return nil, err
	}
	c := &conv{wd: wd, x: x.data, f: f.data, bias: bias.data, alpha: alpha, relu: relu, out: out.data, g: b.g}
	if !c.pointwise() {
		if err := b.needScratch(wd.oh * wd.ow * wd.kh * wd.kw * wd.c); err != nil {
			return nil, err
		}
	}
	b.addStep(c.run)
	return out, nil
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

func (c *conv) run() {
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

// im2col writes, for every output pixel, the kh*kw*c input values its kernel
// covers (zeros where the window hangs over the edge), in HWC order to match
// the HWIO filter rows.
func im2col(wd window, x, col []float32) {
	row := wd.kw * wd.c
	i := 0
	for oy := 0; oy < wd.oh; oy++ {
		for ox := 0; ox < wd.ow; ox++ {
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
}

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
