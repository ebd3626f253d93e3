package wsq

// The analysis filters of the specification (Part 1, Annex A; the same values
// as NBIS globals.c): a 9-tap lowpass and a 7-tap highpass, both symmetric,
// stored from the centre tap outwards. The lowpass output k is centred on
// input sample 2k, the highpass output k on sample 2k+1, and lines are extended
// by whole-sample symmetric reflection at both ends.
var (
	stdLowpass = []float64{
		0.85269867900940344, 0.37740285561265380, -0.11062440441842342,
		-0.02384946501938000, 0.03782845550699546,
	}
	stdHighpass = []float64{
		0.78848561640566439, -0.41809227322221221, -0.04068941760955844,
		0.06453888262893845,
	}
)

// filterBank holds an odd-length symmetric analysis pair (half filters, centre
// first) and the synthesis pair derived from it: g0[m] = (-1)^m h1[m] and
// g1[m] = (-1)^m h0[m].
type filterBank struct {
	lo, hi   []float32 // analysis lowpass and highpass
	slo, shi []float32 // synthesis lowpass (from hi) and highpass (from lo)
}

func newFilterBank(lo, hi []float64) *filterBank {
	f := &filterBank{
		lo: make([]float32, len(lo)), hi: make([]float32, len(hi)),
		slo: make([]float32, len(hi)), shi: make([]float32, len(lo)),
	}
	for m, v := range lo {
		f.lo[m] = float32(v)
		f.shi[m] = float32(alternate(m) * v)
	}
	for m, v := range hi {
		f.hi[m] = float32(v)
		f.slo[m] = float32(alternate(m) * v)
	}
	return f
}

func alternate(m int) float64 {
	if m%2 == 1 {
		return -1
	}
	return 1
}

// reflect maps index i into [0, n) for a line extended symmetrically: about
// the end sample itself (whole-sample, ws) or about the point half a sample
// beyond it (half-sample). It terminates for any n >= 1.
func reflect(i, n int, leftWS, rightWS bool) int {
	if n == 1 {
		return 0
	}
	for i < 0 || i >= n {
		if i < 0 {
			if leftWS {
				i = -i
			} else {
				i = -i - 1
			}
		}
		if i >= n {
			if rightWS {
				i = 2*(n-1) - i
			} else {
				i = 2*n - 1 - i
			}
		}
	}
	return i
}

// analyze splits src into ceil(n/2) lowpass and floor(n/2) highpass samples,
// written to dst lowpass first (highpass first when inv).
func (f *filterBank) analyze(dst, src []float32, inv bool) {
	n := len(src)
	nl, nh := (n+1)/2, n/2
	low, high := dst[:nl], dst[nl:n]
	if inv {
		high, low = dst[:nh], dst[nh:n]
	}
	filterDown(low, src, f.lo, 0)
	filterDown(high, src, f.hi, 1)
}

// filterDown computes out[k] = sum_j h[|j|] * src[2k+phase+j] with
// whole-sample symmetric extension of src.
func filterDown(out, src, h []float32, phase int) {
	n, a := len(src), len(h)-1
	for k := range out {
		c := 2*k + phase
		s := h[0] * src[c]
		if c-a >= 0 && c+a < n {
			for j := 1; j <= a; j++ {
				s += h[j] * (src[c-j] + src[c+j])
			}
		} else {
			for j := 1; j <= a; j++ {
				s += h[j] * (src[reflect(c-j, n, true, true)] + src[reflect(c+j, n, true, true)])
			}
		}
		out[k] = s
	}
}

// synthesize rebuilds n = len(dst) samples from the lowpass and highpass
// halves in src (laid out as analyze writes them).
func (f *filterBank) synthesize(dst, src []float32, inv bool) {
	n := len(dst)
	nl, nh := (n+1)/2, n/2
	low, high := src[:nl], src[nl:n]
	if inv {
		high, low = src[:nh], src[nh:n]
	}
	odd := n%2 == 1
	// The lowpass half is whole-sample symmetric on the left; on the right it
	// is whole-sample symmetric for odd n and half-sample for even n. The
	// highpass half is half-sample symmetric on the left and the opposite of
	// the lowpass half on the right.
	clear(dst)
	filterUp(dst, low, f.slo, 0, true, odd)
	if nh > 0 {
		filterUp(dst, high, f.shi, 1, false, !odd)
	}
}

// filterUp adds g[|t|] * sub[k] to dst[2k+phase+t] for every subband sample
// k whose filter reaches dst, extending sub symmetrically as told.
func filterUp(dst, sub, g []float32, phase int, leftWS, rightWS bool) {
	n, m, a := len(dst), len(sub), len(g)-1
	for k := floorDiv(-phase-a, 2); 2*k+phase-a < n; k++ {
		var v float32
		if k >= 0 && k < m {
			v = sub[k]
		} else {
			v = sub[reflect(k, m, leftWS, rightWS)]
		}
		c := 2*k + phase
		if c-a >= 0 && c+a < n {
			d := dst[c-a : c+a+1]
			d[a] += g[0] * v
			for j := 1; j <= a; j++ {
				d[a-j] += g[j] * v
				d[a+j] += g[j] * v
			}
			continue
		}
		for t := -a; t <= a; t++ {
			if i := c + t; i >= 0 && i < n {
				dst[i] += g[abs(t)] * v
			}
		}
	}
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

func floorDiv(a, b int) int {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// transform runs the filter bank over the plane of a geometry; it owns two
// line buffers and a transposition buffer.
type transform struct {
	f        *filterBank
	line, ln []float32
	trans    []float32
}

func newTransform(f *filterBank, w, h int) *transform {
	n := max(w, h)
	return &transform{f: f, line: make([]float32, n), ln: make([]float32, n), trans: make([]float32, w*h)}
}

// wipe clears the scratch that held image-derived values.
func (t *transform) wipe() {
	clear(t.line)
	clear(t.ln)
	clear(t.trans)
}

// decompose applies the 20 splits of g to plane (row-major, stride g.width):
// rows first, then columns, as the specification orders them.
func (t *transform) decompose(plane []float32, g *geometry) {
	for _, n := range g.splits {
		t.rows(plane, g.width, n.region, n.invX, false)
		t.columns(plane, g.width, n.region, n.invY, false)
	}
}

// reconstruct undoes decompose: splits in reverse, columns before rows.
func (t *transform) reconstruct(plane []float32, g *geometry) {
	for i := len(g.splits) - 1; i >= 0; i-- {
		n := g.splits[i]
		t.columns(plane, g.width, n.region, n.invY, true)
		t.rows(plane, g.width, n.region, n.invX, true)
	}
}

func (t *transform) rows(plane []float32, stride int, r region, inv, synth bool) {
	if r.w == 0 {
		return
	}
	src := t.line[:r.w]
	for y := r.y; y < r.y+r.h; y++ {
		row := plane[y*stride+r.x : y*stride+r.x+r.w]
		copy(src, row)
		if synth {
			t.f.synthesize(row, src, inv)
		} else {
			t.f.analyze(row, src, inv)
		}
	}
}

// columns filters the columns of r by transposing r into rows.
func (t *transform) columns(plane []float32, stride int, r region, inv, synth bool) {
	if r.w == 0 || r.h == 0 {
		return
	}
	tr := t.trans[:r.w*r.h]
	for y := range r.h {
		row := plane[(r.y+y)*stride+r.x:]
		for x := range r.w {
			tr[x*r.h+y] = row[x]
		}
	}
	src := t.ln[:r.h]
	for x := range r.w {
		col := tr[x*r.h : (x+1)*r.h]
		copy(src, col)
		if synth {
			t.f.synthesize(col, src, inv)
		} else {
			t.f.analyze(col, src, inv)
		}
	}
	for y := range r.h {
		row := plane[(r.y+y)*stride+r.x:]
		for x := range r.w {
			row[x] = tr[x*r.h+y]
		}
	}
}
