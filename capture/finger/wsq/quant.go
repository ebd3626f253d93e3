package wsq

import "math"

// Quantisation (specification Part 3, "FBI parameter settings"; the same
// procedure as NBIS util.c): each coded subband k gets a bin width Q_k and a
// zero-bin width Z_k = 1.2 Q_k. The widths follow from the subband variances
// and the target bit rate r:
//
//	Q'_k = 1 for k < 4, 10 / (A_k ln σ²_k) otherwise (0 when σ²_k < 1.01)
//	q    = 2^(r/S - 1) / 2.5 / (Π_{k∈K} (σ_k/Q'_k)^(1/m_k))^(1/S),  S = Σ_{k∈K} 1/m_k
//	Q_k  = Q'_k / q
//
// where m_k is the subband's area ratio (1024, 256 or 16) and K starts as the
// subbands with σ²_k >= 1.01 and loses, iteration by iteration, those whose
// share of the bit rate would be non-positive (Q'_k/q >= 5 σ_k).

const (
	binCenter         = 0.44 // C, written as scale 2, value 44
	varianceThreshold = 1.01
	zeroBinRatio      = 1.2
)

// quantTable is the DQT content: bin widths Q and zero-bin widths Z for the
// 64 subbands (0 means the subband is not coded) and the bin centre C.
type quantTable struct {
	center float64
	q, z   [numBands]float64
}

// bandWeight is A_k: 1 except for the level-1 and level-2 detail subbands.
func bandWeight(k int) float64 {
	switch k {
	case 52, 56:
		return 1.32
	case 53, 55, 58, 59:
		return 1.08
	case 54, 57:
		return 1.42
	}
	return 1
}

// areaRatio is 1/m_k: the fraction of the image a subband covers.
func areaRatio(k int) float64 {
	switch {
	case k < 4:
		return 1.0 / 1024
	case k < 51:
		return 1.0 / 256
	default:
		return 1.0 / 16
	}
}

// bandVariances estimates the variance of every coded subband. As the
// specification prescribes, the estimate uses a central window of each
// subband (skipping 1/8 of the width and 9/32 of the height, spanning 3/4 and
// 7/16 of them), except when the four lowest subbands vary little in total,
// in which case whole subbands are used.
func bandVariances(plane []float32, g *geometry) [codedBands]float64 {
	var v [codedBands]float64
	var sum float64
	for k := range 4 {
		v[k] = variance(plane, g.width, cropWindow(g.bands[k]))
		sum += v[k]
	}
	if sum < 20000 {
		for k := range codedBands {
			v[k] = variance(plane, g.width, g.bands[k])
		}
		return v
	}
	for k := 4; k < codedBands; k++ {
		v[k] = variance(plane, g.width, cropWindow(g.bands[k]))
	}
	return v
}

func cropWindow(b region) region {
	return region{x: b.x + b.w/8, y: b.y + 9*b.h/32, w: 3 * b.w / 4, h: 7 * b.h / 16}
}

// variance is the unbiased sample variance of a region (0 when it has fewer
// than two samples).
func variance(plane []float32, stride int, r region) float64 {
	n := r.w * r.h
	if n < 2 {
		return 0
	}
	var s, ss float64
	for y := r.y; y < r.y+r.h; y++ {
		for _, v := range plane[y*stride+r.x : y*stride+r.x+r.w] {
			s += float64(v)
			ss += float64(v) * float64(v)
		}
	}
	return (ss - s*s/float64(n)) / float64(n-1)
}

// binWidths computes the bin widths for bit rate r (bits per pixel).
func binWidths(v *[codedBands]float64, r float64) quantTable {
	t := quantTable{center: binCenter}
	var qp, sigma [codedBands]float64
	var set []int
	for k := range codedBands {
		if v[k] < varianceThreshold {
			continue
		}
		sigma[k] = math.Sqrt(v[k])
		qp[k] = 1
		if k >= 4 {
			qp[k] = 10 / (bandWeight(k) * math.Log(v[k]))
		}
		set = append(set, k)
	}
	if len(set) == 0 {
		return t // nothing varies: no subband is coded
	}
	initial := append([]int(nil), set...)
	q := proportionality(set, &qp, &sigma, r)
	for {
		kept := set[:0:0]
		for _, k := range set {
			if qp[k]/q < 5*sigma[k] {
				kept = append(kept, k)
			}
		}
		if len(kept) == len(set) || len(kept) == 0 {
			break
		}
		set = kept
		q = proportionality(set, &qp, &sigma, r)
	}
	for _, k := range initial {
		t.q[k] = qp[k] / q
		t.z[k] = zeroBinRatio * t.q[k]
	}
	return t
}

// proportionality is q for the subband set K (computed with logarithms so
// that the product over up to 60 subbands cannot overflow).
func proportionality(set []int, qp, sigma *[codedBands]float64, r float64) float64 {
	var s, logP float64
	for _, k := range set {
		s += areaRatio(k)
		logP += areaRatio(k) * math.Log(sigma[k]/qp[k])
	}
	return math.Pow(2, r/s-1) / 2.5 / math.Exp(logP/s)
}

// toStream rounds every width to the precision the DQT segment carries, so
// that the encoder quantises with exactly the values the decoder will read.
func (t *quantTable) toStream() {
	t.center = scaledU16(t.center).value()
	for k := range t.q {
		t.q[k] = scaledU16(t.q[k]).value()
		t.z[k] = scaledU16(t.z[k]).value()
	}
}

// maxIndex bounds quantiser indices so they fit the 16-bit escape codes and
// the int16 coefficient arrays of other decoders.
const maxIndex = 32767

// quantize writes the indices of every coded subband, subband after subband,
// row by row, into out and returns the number written. out must hold
// g.width*g.height values.
func quantize(out []int32, plane []float32, g *geometry, t *quantTable) int {
	n := 0
	for k := range codedBands {
		q := t.q[k]
		if q == 0 {
			continue
		}
		half := t.z[k] / 2
		b := g.bands[k]
		for y := b.y; y < b.y+b.h; y++ {
			for _, a := range plane[y*g.width+b.x : y*g.width+b.x+b.w] {
				out[n] = quantizeOne(float64(a), q, half)
				n++
			}
		}
	}
	return n
}

func quantizeOne(a, q, half float64) int32 {
	var p float64
	switch {
	case a > half:
		p = math.Floor((a-half)/q) + 1
	case a < -half:
		p = math.Ceil((a+half)/q) - 1
	default:
		return 0
	}
	return int32(math.Max(-maxIndex, math.Min(maxIndex, p)))
}

// dequantize places the reconstructed coefficients of coded subbands into
// plane (zero elsewhere) and returns how many indices it consumed.
func dequantize(plane []float32, idx []int32, g *geometry, t *quantTable) int {
	clear(plane)
	n := 0
	for k := range codedBands {
		q := t.q[k]
		if q == 0 {
			continue
		}
		half := t.z[k] / 2
		b := g.bands[k]
		for y := b.y; y < b.y+b.h; y++ {
			row := plane[y*g.width+b.x : y*g.width+b.x+b.w]
			for x := range row {
				row[x] = float32(dequantizeOne(idx[n], q, half, t.center))
				n++
			}
		}
	}
	return n
}

func dequantizeOne(p int32, q, half, c float64) float64 {
	switch {
	case p > 0:
		return q*(float64(p)-c) + half
	case p < 0:
		return q*(float64(p)+c) - half
	}
	return 0
}

// codedCount is the number of indices the coded subbands of block b hold
// (b = -1 for all blocks).
func codedCount(g *geometry, t *quantTable, b int) int {
	n := 0
	for k := range codedBands {
		if t.q[k] != 0 && (b < 0 || blockOf(k) == b) {
			n += g.bands[k].w * g.bands[k].h
		}
	}
	return n
}
