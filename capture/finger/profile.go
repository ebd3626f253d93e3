package finger

import (
	"math"
	"math/cmplx"
)

// The ridge profile of a block is the mean gray level along the ridge
// normal, taken over an oriented 32x16-pixel rectangle centred on the block
// (32 across the ridges, 16 along them), as NFIQ 2 does after rotating its
// blocks. From it:
//
//   - the local clarity score (LCS, after Chen, Dass & Jain 2005, NFIQ 2):
//     a regression line through the profile separates ridge (below) from
//     valley (above); α and β are the fractions of valley pixels darker and
//     ridge pixels lighter than the line, counted on the raw (unsmoothed)
//     pixels so that noise lowers it; LCS = 1 - (α+β)/2, or 0 when the
//     mean ridge or valley width is outside 2..12 pixels (no usable ridges);
//   - the frequency domain analysis (FDA, NFIQ 2): the energy of the
//     dominant frequency of the profile, with 0.3 of its neighbours, over
//     the energy of all frequencies, the dominant one sought among periods
//     of 4..16 pixels;
//   - the ridge period (from the dominant frequency) and the mean gray
//     levels of the ridge and valley parts.
const (
	profLen      = 32 // samples across the ridges
	profHalfLen  = 8  // half extent along the ridges
	minWidth     = 2.0
	maxWidth     = 12.0
	fdaMinPeriod = 4.0
	fdaMaxPeriod = 16.0
	fdaNeighbour = 0.3
)

// profile measures every foreground block.
func (f *field) profile() {
	for by := range f.bh {
		for bx := range f.bw {
			b := &f.blocks[by*f.bw+bx]
			if b.fg {
				f.profileBlock(b, bx, by)
			}
		}
	}
}

// profileSampler accumulates the pixels of the oriented rectangle.
type profileSampler struct {
	sum  [profLen]float64
	cnt  [profLen]int
	line [profLen]float64 // regression line
}

func (f *field) profileBlock(b *blockStat, bx, by int) {
	cx, cy := f.blockCentre(bx, by)
	nx, ny := math.Cos(b.normal), math.Sin(b.normal)
	var s profileSampler
	f.eachProfilePixel(f.gray, cx, cy, nx, ny, func(bin int, v float64) {
		s.sum[bin] += v
		s.cnt[bin]++
	})
	var p [profLen]float64
	for i := range p {
		if s.cnt[i] == 0 {
			return // the rectangle leaves the image: no profile
		}
		p[i] = s.sum[i] / float64(s.cnt[i])
	}
	s.line = regression(&p)
	ridge := classify(&p, &s.line)
	b.profiled = true
	b.ridgeLvl, b.valleyLvl = levels(&p, &ridge)
	b.fda, b.period = fda(&p, &s.line)
	b.lcs = f.clarity(cx, cy, nx, ny, &ridge, &s.line)
}

// eachProfilePixel calls fn for every pixel of the oriented rectangle with
// its bin across the ridges.
func (f *field) eachProfilePixel(plane []float32, cx, cy, nx, ny float64, fn func(bin int, v float64)) {
	const r = 18 // covers the rectangle's corners (sqrt(16²+8²) < 18)
	for y := max(0, int(cy)-r); y < min(f.h, int(cy)+r+1); y++ {
		dy := float64(y) + 0.5 - cy
		row := plane[y*f.w : (y+1)*f.w]
		for x := max(0, int(cx)-r); x < min(f.w, int(cx)+r+1); x++ {
			dx := float64(x) + 0.5 - cx
			u := dx*nx + dy*ny  // across the ridges
			v := -dx*ny + dy*nx // along them
			if v > profHalfLen || v < -profHalfLen || u >= profLen/2 || u <= -profLen/2 {
				continue
			}
			fn(int(u+profLen/2), float64(row[x]))
		}
	}
}

// regression fits a straight line to the profile (the local threshold).
func regression(p *[profLen]float64) [profLen]float64 {
	var st, sv, stt, stv float64
	for t, v := range p {
		ft := float64(t)
		st, sv, stt, stv = st+ft, sv+v, stt+ft*ft, stv+ft*v
	}
	n := float64(profLen)
	slope := (n*stv - st*sv) / (n*stt - st*st)
	icpt := (sv - slope*st) / n
	var line [profLen]float64
	for t := range line {
		line[t] = icpt + slope*float64(t)
	}
	return line
}

// classify marks the profile samples below the line as ridge.
func classify(p, line *[profLen]float64) [profLen]bool {
	var ridge [profLen]bool
	for t := range p {
		ridge[t] = p[t] < line[t]
	}
	return ridge
}

func levels(p *[profLen]float64, ridge *[profLen]bool) (ridgeLvl, valleyLvl float64) {
	var rs, vs float64
	var rn, vn int
	for t, v := range p {
		if ridge[t] {
			rs, rn = rs+v, rn+1
		} else {
			vs, vn = vs+v, vn+1
		}
	}
	if rn == 0 || vn == 0 {
		m := (rs + vs) / profLen
		return m, m
	}
	return rs / float64(rn), vs / float64(vn)
}

// widths returns the mean length of the complete ridge and valley runs (runs
// touching the ends of the profile are incomplete and ignored).
func widths(ridge *[profLen]bool) (rw, vw float64, ok bool) {
	var runs [2][]int // [valley, ridge]
	start := 0
	for t := 1; t <= profLen; t++ {
		if t < profLen && ridge[t] == ridge[start] {
			continue
		}
		if start > 0 && t < profLen {
			k := 0
			if ridge[start] {
				k = 1
			}
			runs[k] = append(runs[k], t-start)
		}
		start = t
	}
	if len(runs[0]) == 0 || len(runs[1]) == 0 {
		return 0, 0, false
	}
	return meanInt(runs[1]), meanInt(runs[0]), true
}

func meanInt(v []int) float64 {
	s := 0
	for _, x := range v {
		s += x
	}
	return float64(s) / float64(len(v))
}

// clarity is the local clarity score of the block.
func (f *field) clarity(cx, cy, nx, ny float64, ridge *[profLen]bool, line *[profLen]float64) float64 {
	rw, vw, ok := widths(ridge)
	if !ok || rw < minWidth || rw > maxWidth || vw < minWidth || vw > maxWidth {
		return 0
	}
	var ridgeN, ridgeLight, valleyN, valleyDark int
	f.eachProfilePixel(f.raw, cx, cy, nx, ny, func(bin int, v float64) {
		if ridge[bin] {
			ridgeN++
			if v >= line[bin] {
				ridgeLight++
			}
		} else {
			valleyN++
			if v < line[bin] {
				valleyDark++
			}
		}
	})
	alpha := float64(valleyDark) / float64(max(valleyN, 1))
	beta := float64(ridgeLight) / float64(max(ridgeN, 1))
	return 1 - (alpha+beta)/2
}

// twiddle[i] is e^(-2πi·i/profLen).
var twiddle = func() (t [profLen]complex128) {
	for i := range t {
		t[i] = cmplx.Exp(complex(0, -2*math.Pi*float64(i)/profLen))
	}
	return t
}()

// fda returns the frequency domain analysis score and the ridge period of
// the detrended profile.
func fda(p, line *[profLen]float64) (score, period float64) {
	var amp [profLen/2 + 1]float64
	var total float64
	for k := 1; k <= profLen/2; k++ {
		var c complex128
		for t := range p {
			c += complex(p[t]-line[t], 0) * twiddle[k*t%profLen]
		}
		amp[k] = cmplx.Abs(c)
		total += amp[k]
	}
	kLo, kHi := int(math.Ceil(profLen/fdaMaxPeriod)), int(profLen/fdaMinPeriod)
	best := kLo
	for k := kLo; k <= kHi; k++ {
		if amp[k] > amp[best] {
			best = k
		}
	}
	if total == 0 {
		return 0, 0
	}
	left, right := amp[best-1], amp[min(best+1, profLen/2)]
	peak := amp[best] + fdaNeighbour*(left+right)
	// A parabola through the peak and its neighbours refines the frequency.
	k := float64(best)
	if den := left - 2*amp[best] + right; den < 0 {
		k += math.Max(-0.5, math.Min(0.5, 0.5*(left-right)/den))
	}
	return math.Min(1, peak/total), profLen / k
}
