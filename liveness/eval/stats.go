package eval

import "math"

// Interval is a two-sided confidence interval for a proportion.
type Interval struct{ Lo, Hi float64 }

// ClopperPearson is the exact (Clopper-Pearson) 1-alpha interval for x
// successes in n trials.
func ClopperPearson(x, n int, alpha float64) Interval {
	if n <= 0 {
		return Interval{0, 1}
	}
	iv := Interval{0, 1}
	if x > 0 {
		iv.Lo = betaInv(alpha/2, float64(x), float64(n-x+1))
	}
	if x < n {
		iv.Hi = betaInv(1-alpha/2, float64(x+1), float64(n-x))
	}
	return iv
}

// betaInv inverts the regularized incomplete beta function by bisection.
func betaInv(p, a, b float64) float64 {
	lo, hi := 0.0, 1.0
	for i := 0; i < 100; i++ {
		mid := (lo + hi) / 2
		if betaInc(mid, a, b) < p {
			lo = mid
		} else {
			hi = mid
		}
	}
	return (lo + hi) / 2
}

// betaInc is the regularized incomplete beta function I_x(a, b), by the
// continued fraction (modified Lentz), using the symmetry relation for
// convergence.
func betaInc(x, a, b float64) float64 {
	switch {
	case x <= 0:
		return 0
	case x >= 1:
		return 1
	}
	la, _ := math.Lgamma(a + b)
	lb, _ := math.Lgamma(a)
	lc, _ := math.Lgamma(b)
	front := math.Exp(la - lb - lc + a*math.Log(x) + b*math.Log(1-x))
	if x < (a+1)/(a+b+2) {
		return front * betaCF(x, a, b) / a
	}
	return 1 - front*betaCF(1-x, b, a)/b
}

func betaCF(x, a, b float64) float64 {
	const tiny = 1e-300
	c, d := 1.0, 1-(a+b)*x/(a+1)
	if math.Abs(d) < tiny {
		d = tiny
	}
	d = 1 / d
	h := d
	for m := 1; m <= 300; m++ {
		fm := float64(m)
		for _, num := range []float64{
			fm * (b - fm) * x / ((a + 2*fm - 1) * (a + 2*fm)),
			-(a + fm) * (a + b + fm) * x / ((a + 2*fm) * (a + 2*fm + 1)),
		} {
			d = 1 + num*d
			if math.Abs(d) < tiny {
				d = tiny
			}
			c = 1 + num/c
			if math.Abs(c) < tiny {
				c = tiny
			}
			d = 1 / d
			h *= d * c
		}
		if math.Abs(d*c-1) < 1e-12 {
			break
		}
	}
	return h
}
