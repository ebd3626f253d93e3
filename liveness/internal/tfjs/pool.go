package tfjs

import (
	"fmt"
	"math"
)

// buildMaxPool plans MaxPool over NHWC with ksize [1 kh kw 1].
func buildMaxPool(b *builder, n *nodeDef) (*tensor, error) {
	if err := b.wantInputs(n, 1); err != nil {
		return nil, err
	}
	x, err := b.in(n, 0)
	if err != nil {
		return nil, err
	}
	k := n.attrInts("ksize")
	if len(k) != 4 || k[0] != 1 || k[3] != 1 {
		return nil, fmt.Errorf("ksize %v not supported", k)
	}
	wd, err := parseWindow(n, x.shape, k[1], k[2])
	if err != nil {
		return nil, err
	}
	out, err := b.newTensor(wd.outShape(wd.c))
	if err != nil {
		return nil, err
	}
	b.addStep(func() { maxPool(wd, x.data, out.data) })
	return out, nil
}

// maxPool takes each window's maximum, ignoring positions outside the input.
func maxPool(wd window, x, out []float32) {
	c := wd.c
	for oy := 0; oy < wd.oh; oy++ {
		for ox := 0; ox < wd.ow; ox++ {
			o := out[(oy*wd.ow+ox)*c : (oy*wd.ow+ox+1)*c]
			for j := range o {
				o[j] = float32(math.Inf(-1))
			}
			for ky := 0; ky < wd.kh; ky++ {
				iy := oy*wd.sh - wd.padT + ky
				if iy < 0 || iy >= wd.h {
					continue
				}
				for kx := 0; kx < wd.kw; kx++ {
					ix := ox*wd.sw - wd.padL + kx
					if ix < 0 || ix >= wd.w {
						continue
					}
					in := x[(iy*wd.w+ix)*c : (iy*wd.w+ix+1)*c]
					for j, v := range in[:len(o)] {
						o[j] = max(o[j], v)
					}
				}
			}
		}
	}
}

// buildPad plans a constant-zero Pad of a 4-D tensor; paddings is an int32
// [4 2] Const of (before, after) per axis.
func buildPad(b *builder, n *nodeDef) (*tensor, error) {
	if err := b.wantInputs(n, 2); err != nil {
		return nil, err
	}
	x, err := b.in(n, 0)
	if err != nil {
		return nil, err
	}
	p, err := b.intConst(n, 1)
	if err != nil {
		return nil, err
	}
	if len(x.shape) != 4 || len(p) != 8 || p[0] != 0 || p[1] != 0 {
		return nil, fmt.Errorf("paddings %v for shape %v not supported", p, x.shape)
	}
	shape := make([]int, 4)
	for i := range shape {
		if p[2*i] < 0 || p[2*i+1] < 0 || p[2*i] > 1<<16 || p[2*i+1] > 1<<16 {
			return nil, fmt.Errorf("paddings %v not supported", p)
		}
		shape[i] = x.shape[i] + int(p[2*i]) + int(p[2*i+1])
	}
	out, err := b.newTensor(shape)
	if err != nil {
		return nil, err
	}
	before := [3]int{int(p[2]), int(p[4]), int(p[6])}
	b.addStep(func() { pad(x, out, before) })
	return out, nil
}

// pad zeroes out and copies x into it at offset before (h, w, c).
func pad(x, out *tensor, before [3]int) {
	clear(out.data)
	h, w, c := x.shape[1], x.shape[2], x.shape[3]
	ow, oc := out.shape[2], out.shape[3]
	for y := 0; y < h; y++ {
		for xx := 0; xx < w; xx++ {
			src := x.data[(y*w+xx)*c : (y*w+xx+1)*c]
			at := ((y+before[0])*ow+xx+before[1])*oc + before[2]
			copy(out.data[at:at+c], src)
		}
	}
}
