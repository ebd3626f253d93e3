package finger

import (
	"slices"
)

// Foreground segmentation: a block belongs to the finger when
//
//   - the standard deviation of the smoothed image over the block reaches an
//     absolute floor (ridges, not sensor noise or the 17-level steps of 4-bit
//     samples: smoothing divides white noise by about 4 and keeps ridges)
//     and a fraction of the 95th percentile over the image (so a print's
//     weaker areas stay in), and
//   - its orientation certainty is above what noise reaches (measured: the
//     95th percentile of OCL over pure-noise 32x32 windows is 0.33).
//
// The mask is then reduced to its largest 8-connected region and its holes
// are filled (a core, a delta or a scar is still finger).
const (
	segAbsStd = 8.0
	segRelStd = 0.25
	segMinOCL = 0.35
)

// segment marks foreground blocks.
func (f *field) segment() {
	stds := make([]float64, len(f.blocks))
	for i := range f.blocks {
		stds[i] = f.blocks[i].sstd
	}
	slices.Sort(stds)
	p95 := stds[min(len(stds)-1, len(stds)*95/100)]
	thr := max(segAbsStd, segRelStd*p95)
	for i := range f.blocks {
		b := &f.blocks[i]
		b.fg = b.sstd >= thr && b.ocl >= segMinOCL
	}
	f.keepLargestRegion()
	f.fillHoles()
}

// region labels the 8-connected region of blocks with fg == want that
// contains start, marking them in seen, and returns its blocks.
func (f *field) region(start int, want bool, seen []bool) []int {
	stack := []int{start}
	seen[start] = true
	var out []int
	for len(stack) > 0 {
		i := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		out = append(out, i)
		bx, by := i%f.bw, i/f.bw
		for dy := -1; dy <= 1; dy++ {
			for dx := -1; dx <= 1; dx++ {
				x, y := bx+dx, by+dy
				if x < 0 || y < 0 || x >= f.bw || y >= f.bh {
					continue
				}
				j := y*f.bw + x
				if !seen[j] && f.blocks[j].fg == want {
					seen[j] = true
					stack = append(stack, j)
				}
			}
		}
	}
	return out
}

func (f *field) keepLargestRegion() {
	seen := make([]bool, len(f.blocks))
	var best []int
	for i := range f.blocks {
		if f.blocks[i].fg && !seen[i] {
			if r := f.region(i, true, seen); len(r) > len(best) {
				best = r
			}
		}
	}
	for i := range f.blocks {
		f.blocks[i].fg = false
	}
	for _, i := range best {
		f.blocks[i].fg = true
	}
}

// fillHoles turns background regions that do not touch the image border
// into foreground.
func (f *field) fillHoles() {
	seen := make([]bool, len(f.blocks))
	for i := range f.blocks {
		if f.blocks[i].fg || seen[i] {
			continue
		}
		r := f.region(i, false, seen)
		if !slices.ContainsFunc(r, f.onBorder) {
			for _, j := range r {
				f.blocks[j].fg = true
			}
		}
	}
}

func (f *field) onBorder(i int) bool {
	bx, by := i%f.bw, i/f.bw
	return bx == 0 || by == 0 || bx == f.bw-1 || by == f.bh-1
}
