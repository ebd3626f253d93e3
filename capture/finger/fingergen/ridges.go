package fingergen

import (
	"math"
	"math/rand/v2"
	"sync"
)

// Gabor bank quantisation.
const (
	orientBins = 32
	periodMin  = 7.0 // ridge period range, pixels at 500 ppi (0.35–0.6 mm)
	periodMax  = 12.0
	periodStep = 0.5
	periodBins = int((periodMax-periodMin)/periodStep) + 1
	kRadius    = 6
	kSize      = 2*kRadius + 1
	growIters  = 12
)

// bank holds Gabor kernels for every (orientation, period) bin.
type bank struct{ k [][]float32 }

// gabor is built on first use, not at init: every ventanillactl command
// links this package, and only `sim scanner` draws fingers.
var gabor = sync.OnceValue(newBank)

func newBank() *bank {
	b := &bank{k: make([][]float32, orientBins*periodBins)}
	for oi := range orientBins {
		for pi := range periodBins {
			theta := float64(oi) * math.Pi / orientBins
			period := periodMin + float64(pi)*periodStep
			b.k[oi*periodBins+pi] = gaborKernel(theta, period)
		}
	}
	return b
}

// gaborKernel passes ridges running along theta with the given period: a
// Gaussian envelope longer along the ridge than across it, a cosine across
// it; zero mean so flat areas do not grow, unit L1 norm.
func gaborKernel(theta, period float64) []float32 {
	k := make([]float32, kSize*kSize)
	sAlong, sAcross := 4.0, 0.45*period
	c, s := math.Cos(theta), math.Sin(theta)
	var sum float64
	for y := -kRadius; y <= kRadius; y++ {
		for x := -kRadius; x <= kRadius; x++ {
			u := float64(x)*c + float64(y)*s
			v := -float64(x)*s + float64(y)*c
			g := math.Exp(-(u*u/(sAlong*sAlong)+v*v/(sAcross*sAcross))/2) * math.Cos(2*math.Pi*v/period)
			k[(y+kRadius)*kSize+x+kRadius] = float32(g)
			sum += g
		}
	}
	mean := float32(sum / float64(len(k)))
	var l1 float32
	for i := range k {
		k[i] -= mean
		l1 += float32(math.Abs(float64(k[i])))
	}
	for i := range k {
		k[i] /= l1
	}
	return k
}

// kernelIndex picks the bank entry for an orientation and a period.
func kernelIndex(theta, period float32) int {
	oi := int(float64(theta)/math.Pi*orientBins+0.5) % orientBins
	pi := int((float64(period)-periodMin)/periodStep + 0.5)
	pi = min(max(pi, 0), periodBins-1)
	return oi*periodBins + pi
}

// grow makes the master ridge pattern: values in [-1, 1], positive on
// ridges. Starting from white noise, each pass filters every pixel with the
// kernel of its local orientation and period and saturates the result;
// after a dozen passes the noise has become ridges that follow the field,
// with ridge endings and bifurcations where the noise put them.
func grow(f *field, period []float32, rng *rand.Rand) []float32 {
	w, h := f.w, f.h
	pw := w + 2*kRadius
	pad := make([]float32, pw*(h+2*kRadius))
	img := make([]float32, w*h)
	for i := range img {
		img[i] = float32(rng.Float64()*2 - 1)
	}
	idx := make([]int, w*h)
	for i := range idx {
		idx[i] = kernelIndex(f.theta[i], period[i])
	}
	for range growIters {
		for y := range h {
			copy(pad[(y+kRadius)*pw+kRadius:], img[y*w:(y+1)*w])
		}
		filterPass(img, pad, idx, w, h, pw)
		saturate(img)
	}
	return img
}

// filterPass convolves the padded image with each pixel's own kernel.
func filterPass(dst, pad []float32, idx []int, w, h, pw int) {
	bank := gabor()
	for y := range h {
		for x := range w {
			k := bank.k[idx[y*w+x]]
			var acc float32
			for ky := range kSize {
				row := pad[(y+ky)*pw+x : (y+ky)*pw+x+kSize]
				kr := k[ky*kSize : ky*kSize+kSize]
				for kx, v := range row {
					acc += v * kr[kx]
				}
			}
			dst[y*w+x] = acc
		}
	}
}

// saturate rescales to unit RMS and clips, so amplitudes converge.
func saturate(img []float32) {
	var ss float64
	for _, v := range img {
		ss += float64(v * v)
	}
	g := float32(1.6 / math.Sqrt(ss/float64(len(img))+1e-12))
	for i, v := range img {
		img[i] = min(max(v*g, -1), 1)
	}
}
