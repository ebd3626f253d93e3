package tfjs

import (
	"errors"
	"fmt"
	"slices"
)

// window describes a 2-D sliding window (conv, depthwise conv or pool) over an
// NHWC input of batch 1.
type window struct {
	h, w, c    int // input
	kh, kw     int // kernel
	sh, sw     int // strides
	oh, ow     int // output
	padT, padL int // leading padding (TF "SAME" puts the odd pixel at the end)
}

// parseWindow reads strides, padding, dilations and data_format.
func parseWindow(n *nodeDef, in []int, kh, kw int) (window, error) {
	if len(in) != 4 || in[0] != 1 {
		return window{}, fmt.Errorf("input shape %v, want [1 h w c]", in)
	}
	if f, ok := n.attrString("data_format"); ok && f != "NHWC" {
		return window{}, fmt.Errorf("data_format %q, want NHWC", f)
	}
	if d := n.attrInts("dilations"); d != nil && !slices.Equal(d, []int{1, 1, 1, 1}) {
		return window{}, fmt.Errorf("dilations %v not supported", d)
	}
	s := n.attrInts("strides")
	if len(s) != 4 || s[0] != 1 || s[3] != 1 || s[1] < 1 || s[2] < 1 || s[1] > 64 || s[2] > 64 {
		return window{}, fmt.Errorf("strides %v not supported", s)
	}
	if kh < 1 || kw < 1 || kh > 64 || kw > 64 {
		return window{}, fmt.Errorf("kernel %dx%d not supported", kh, kw)
	}
	wd := window{h: in[1], w: in[2], c: in[3], kh: kh, kw: kw, sh: s[1], sw: s[2]}
	pad, _ := n.attrString("padding")
	var err error
	wd.oh, wd.padT, err = outSize(pad, wd.h, kh, wd.sh)
	if err != nil {
		return window{}, err
	}
	wd.ow, wd.padL, err = outSize(pad, wd.w, kw, wd.sw)
	return wd, err
}

// outSize follows TensorFlow's VALID and SAME rules.
func outSize(padding string, in, k, s int) (out, padBefore int, err error) {
	switch padding {
	case "VALID":
		if in < k {
			return 0, 0, errors.New("kernel larger than input")
		}
		return (in-k)/s + 1, 0, nil
	case "SAME":
		out = (in + s - 1) / s
		total := max((out-1)*s+k-in, 0)
		return out, total / 2, nil
	}
	return 0, 0, fmt.Errorf("padding %q not supported", padding)
}

// outShape is the NHWC output shape with c channels.
func (wd window) outShape(c int) []int { return []int{1, wd.oh, wd.ow, c} }
