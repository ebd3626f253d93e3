package finger

import (
	"image"
	"math"
)

// The quality measure works on a grid of 16x16-pixel blocks (0.8 mm, about
// two ridge periods at 500 ppi). Every foreground block is described by the
// gradients, the ridge orientation and the gray-level profile across the
// ridges in a window around it, after NFIQ 2's local features.
const (
	blockSize = 16
	// winRadius is half the side of the square whose gradients give a
	// block's orientation (32x32, as NFIQ 2's blocks).
	winRadius = 16
)

// field is the per-image working set. Every slice holds image-derived values
// and is cleared by wipe.
type field struct {
	w, h   int
	bw, bh int
	raw    []float32 // pixel values
	gray   []float32 // pixel values, Gaussian-smoothed (sigma 1)
	gx, gy []float32 // Sobel gradients of gray
	blocks []blockStat
}

// blockStat holds the measurements of one block.
type blockStat struct {
	mean, std float64 // raw gray statistics of the block itself
	sstd      float64 // standard deviation of the smoothed block
	fg        bool
	// Orientation analysis over the 32x32 window: gradient direction (the
	// ridge normal), orientation certainty and gradient energy.
	normal, ocl, energy float64
	// Profile analysis (only for foreground blocks with a usable profile).
	profiled            bool
	lcs, fda, period    float64
	ridgeLvl, valleyLvl float64
}

func newField(img *image.Gray) *field {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	f := &field{
		w: w, h: h,
		bw: (w + blockSize - 1) / blockSize, bh: (h + blockSize - 1) / blockSize,
		raw: make([]float32, w*h), gray: make([]float32, w*h), gx: make([]float32, w*h), gy: make([]float32, w*h),
	}
	for y := range h {
		for x, p := range grayRow(img, y) {
			f.raw[y*w+x] = float32(p)
		}
	}
	f.blocks = make([]blockStat, f.bw*f.bh)
	f.smooth(img)
	f.gradients()
	f.blockStats(img)
	return f
}

func (f *field) wipe() {
	clear(f.raw)
	clear(f.gray)
	clear(f.gx)
	clear(f.gy)
	clear(f.blocks)
}

// smooth applies a 5-tap binomial filter (a Gaussian of sigma 1) in both
// directions, clamping at the edges.
func (f *field) smooth(img *image.Gray) {
	tmp := make([]float32, f.w*f.h)
	defer clear(tmp)
	line := make([]float32, max(f.w, f.h)+4)
	defer clear(line)
	for y := range f.h {
		row := grayRow(img, y)
		for i := range f.w + 4 {
			line[i] = float32(row[clampIdx(i-2, f.w)])
		}
		binomial5(tmp[y*f.w:(y+1)*f.w], line)
	}
	col := make([]float32, f.h)
	defer clear(col)
	for x := range f.w {
		for i := range f.h + 4 {
			line[i] = tmp[clampIdx(i-2, f.h)*f.w+x]
		}
		binomial5(col, line)
		for y, v := range col {
			f.gray[y*f.w+x] = v
		}
	}
}

// binomial5 filters src (padded by 2 on each side) into dst.
func binomial5(dst, src []float32) {
	for i := range dst {
		s := src[i : i+5 : i+5]
		dst[i] = (s[0] + 4*s[1] + 6*s[2] + 4*s[3] + s[4]) * (1.0 / 16)
	}
}

func clampIdx(v, n int) int { return max(0, min(n-1, v)) }

// gradients computes Sobel derivatives of the smoothed image (edges
// replicated).
func (f *field) gradients() {
	for y := range f.h {
		up := f.gray[clampIdx(y-1, f.h)*f.w:][:f.w]
		mid := f.gray[y*f.w:][:f.w]
		dn := f.gray[clampIdx(y+1, f.h)*f.w:][:f.w]
		gx, gy := f.gx[y*f.w:][:f.w], f.gy[y*f.w:][:f.w]
		for x := range f.w {
			l, r := max(x-1, 0), min(x+1, f.w-1)
			gx[x] = (up[r] + 2*mid[r] + dn[r]) - (up[l] + 2*mid[l] + dn[l])
			gy[x] = (dn[l] + 2*dn[x] + dn[r]) - (up[l] + 2*up[x] + up[r])
		}
	}
}

// blockRect is the pixel rectangle of block (bx, by), clipped to the image.
func (f *field) blockRect(bx, by int) image.Rectangle {
	return image.Rect(bx*blockSize, by*blockSize, min((bx+1)*blockSize, f.w), min((by+1)*blockSize, f.h))
}

func (f *field) blockCentre(bx, by int) (float64, float64) {
	r := f.blockRect(bx, by)
	return float64(r.Min.X+r.Max.X) / 2, float64(r.Min.Y+r.Max.Y) / 2
}

// blockStats computes the raw mean and standard deviation of every block.
func (f *field) blockStats(img *image.Gray) {
	for by := range f.bh {
		for bx := range f.bw {
			r := f.blockRect(bx, by)
			var s, ss, gs, gss float64
			for y := r.Min.Y; y < r.Max.Y; y++ {
				for _, p := range grayRow(img, y)[r.Min.X:r.Max.X] {
					s += float64(p)
					ss += float64(p) * float64(p)
				}
				for _, g := range f.gray[y*f.w+r.Min.X : y*f.w+r.Max.X] {
					gs += float64(g)
					gss += float64(g) * float64(g)
				}
			}
			n := float64(r.Dx() * r.Dy())
			b := &f.blocks[by*f.bw+bx]
			b.mean = s / n
			b.std = math.Sqrt(math.Max(0, ss/n-b.mean*b.mean))
			b.sstd = math.Sqrt(math.Max(0, gss/n-(gs/n)*(gs/n)))
		}
	}
}

// orient computes the orientation of every block from the
// gradient covariance over a 32x32 window: the dominant gradient direction
// is the ridge normal, and the orientation certainty level (NFIQ 2 OCL) is
// 1 - λmin/λmax of the covariance.
func (f *field) orient() {
	for by := range f.bh {
		for bx := range f.bw {
			b := &f.blocks[by*f.bw+bx]
			cx, cy := f.blockCentre(bx, by)
			var a, bb, c float64
			x0, x1 := max(0, int(cx)-winRadius), min(f.w, int(cx)+winRadius)
			y0, y1 := max(0, int(cy)-winRadius), min(f.h, int(cy)+winRadius)
			for y := y0; y < y1; y++ {
				for x := x0; x < x1; x++ {
					gx, gy := float64(f.gx[y*f.w+x]), float64(f.gy[y*f.w+x])
					a += gx * gx
					bb += gy * gy
					c += gx * gy
				}
			}
			b.normal = 0.5 * math.Atan2(2*c, a-bb)
			mid, rad := (a+bb)/2, math.Hypot((a-bb)/2, c)
			if mid > 0 {
				b.ocl = 1 - (mid-rad)/(mid+rad)
			}
			b.energy = (a + bb) / float64((x1-x0)*(y1-y0))
		}
	}
}
