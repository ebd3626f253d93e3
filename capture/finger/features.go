package finger

import (
	"math"
	"slices"
)

// Features are the image-level measurements behind the score. None of them
// identifies a person: they describe capture quality only, and may be logged
// or exported as metrics.
type Features struct {
	// Foreground (finger) area in mm² at 500 ppi, and as a fraction of the
	// image.
	AreaMM2, AreaFraction float64
	// CentreOffset is the distance of the foreground centroid from the image
	// centre, as a fraction of the image diagonal.
	CentreOffsetX, CentreOffsetY float64
	// Mean over foreground blocks of NFIQ 2-style local features: orientation
	// certainty level (0..1, higher is better), local clarity score (0..1,
	// higher is better), frequency domain analysis (0..1, higher is better).
	OCL, LCS, FDA float64
	// OrientationFlow is NFIQ 2's OF: the mean excess orientation change
	// between neighbouring blocks beyond 4°, over 86° (0..1, lower is
	// better).
	OrientationFlow float64
	// Gray levels (0..255) of ridges and valleys (medians over foreground
	// blocks) and their difference.
	RidgeLevel, ValleyLevel, Contrast float64
	// RidgePeriod is the median ridge period in pixels (about 9 at 500 ppi
	// for adults; far from it means a wrong resolution).
	RidgePeriod float64
	// Blocks is the number of foreground blocks; Profiled of them had a
	// full ridge profile.
	Blocks, Profiled int
}

const (
	mmPerInch   = 25.4
	pxPerMM2    = (TargetPPI / mmPerInch) * (TargetPPI / mmPerInch)
	ofMinAngle  = 4.0 * math.Pi / 180 // NFIQ 2 ignores changes below 4°
	ofAngleSpan = math.Pi/2 - ofMinAngle
)

// features aggregates the block measurements.
func (f *field) features() Features {
	var ft Features
	var sx, sy float64
	var ocl, lcs, fdaS []float64
	var ridge, valley, period []float64
	for by := range f.bh {
		for bx := range f.bw {
			b := &f.blocks[by*f.bw+bx]
			if !b.fg {
				continue
			}
			ft.Blocks++
			r := f.blockRect(bx, by)
			cx, cy := f.blockCentre(bx, by)
			area := float64(r.Dx() * r.Dy())
			ft.AreaMM2 += area / pxPerMM2
			sx, sy = sx+cx*area, sy+cy*area
			ocl = append(ocl, b.ocl)
			if b.profiled {
				ft.Profiled++
				lcs, fdaS = append(lcs, b.lcs), append(fdaS, b.fda)
				ridge, valley, period = append(ridge, b.ridgeLvl), append(valley, b.valleyLvl), append(period, b.period)
			}
		}
	}
	if ft.Blocks == 0 {
		return ft
	}
	areaPx := ft.AreaMM2 * pxPerMM2
	ft.AreaFraction = areaPx / float64(f.w*f.h)
	diag := math.Hypot(float64(f.w), float64(f.h))
	ft.CentreOffsetX = (sx/areaPx - float64(f.w)/2) / diag
	ft.CentreOffsetY = (sy/areaPx - float64(f.h)/2) / diag
	ft.OCL = mean(ocl)
	ft.LCS, ft.FDA = mean(lcs), mean(fdaS)
	ft.RidgeLevel, ft.ValleyLevel = median(ridge), median(valley)
	ft.Contrast = ft.ValleyLevel - ft.RidgeLevel
	ft.RidgePeriod = median(period)
	ft.OrientationFlow = f.orientationFlow()
	return ft
}

// orientationFlow is NFIQ 2's OF over foreground blocks.
func (f *field) orientationFlow() float64 {
	var sum float64
	n := 0
	for by := range f.bh {
		for bx := range f.bw {
			b := &f.blocks[by*f.bw+bx]
			if !b.fg {
				continue
			}
			var d float64
			k := 0
			for dy := -1; dy <= 1; dy++ {
				for dx := -1; dx <= 1; dx++ {
					x, y := bx+dx, by+dy
					if (dx == 0 && dy == 0) || x < 0 || y < 0 || x >= f.bw || y >= f.bh || !f.blocks[y*f.bw+x].fg {
						continue
					}
					d += angleDiff(b.normal, f.blocks[y*f.bw+x].normal)
					k++
				}
			}
			if k == 0 {
				continue
			}
			if avg := d / float64(k); avg > ofMinAngle {
				sum += (avg - ofMinAngle) / ofAngleSpan
			}
			n++
		}
	}
	if n == 0 {
		return 1
	}
	return sum / float64(n)
}

// angleDiff is the difference of two orientations (modulo π), in 0..π/2.
func angleDiff(a, b float64) float64 {
	d := math.Mod(math.Abs(a-b), math.Pi)
	return math.Min(d, math.Pi-d)
}

func mean(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	var s float64
	for _, x := range v {
		s += x
	}
	return s / float64(len(v))
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	return s[len(s)/2]
}
