package tfjs

// gemm accumulates C += A·B for row-major A (m×k), B (k×n), C (m×n).
// Rows of C are taken two at a time and rows of B four at a time, so every
// load of B feeds two multiply-adds and every pass over C does four; the
// inner loops are free of bounds checks.
func gemm(m, k, n int, a, b, c []float32) {
	i := 0
	for ; i+2 <= m; i += 2 {
		gemmRow2(a[i*k:(i+1)*k], a[(i+1)*k:(i+2)*k], b, c[i*n:(i+1)*n], c[(i+1)*n:(i+2)*n])
	}
	if i < m {
		gemmRow(a[i*k:(i+1)*k], b, c[i*n:(i+1)*n])
	}
}

func gemmRow2(a, a1, b, c, c1 []float32) {
	n, k := len(c), len(a)
	c1 = c1[:n]
	a1 = a1[:k]
	p := 0
	for ; p+4 <= k; p += 4 {
		x0, x1, x2, x3 := a[p], a[p+1], a[p+2], a[p+3]
		y0, y1, y2, y3 := a1[p], a1[p+1], a1[p+2], a1[p+3]
		b0 := b[p*n : p*n+n]
		b1 := b[(p+1)*n : (p+1)*n+n]
		b2 := b[(p+2)*n : (p+2)*n+n]
		b3 := b[(p+3)*n : (p+3)*n+n]
		b1, b2, b3 = b1[:len(b0)], b2[:len(b0)], b3[:len(b0)]
		d, d1 := c[:len(b0)], c1[:len(b0)]
		for j, v0 := range b0 {
			v1, v2, v3 := b1[j], b2[j], b3[j]
			d[j] += x0*v0 + x1*v1 + x2*v2 + x3*v3
			d1[j] += y0*v0 + y1*v1 + y2*v2 + y3*v3
		}
	}
	for ; p < k; p++ {
		x, y := a[p], a1[p]
		bp := b[p*n : p*n+n]
		d, d1 := c[:len(bp)], c1[:len(bp)]
		for j, v := range bp {
			d[j] += x * v
			d1[j] += y * v
		}
	}
}

func gemmRow(a, b, c []float32) {
	n, k := len(c), len(a)
	p := 0
	for ; p+4 <= k; p += 4 {
		a0, a1, a2, a3 := a[p], a[p+1], a[p+2], a[p+3]
		b0 := b[p*n : p*n+n]
		b1 := b[(p+1)*n : (p+1)*n+n]
		b2 := b[(p+2)*n : (p+2)*n+n]
		b3 := b[(p+3)*n : (p+3)*n+n]
		b1, b2, b3 = b1[:len(b0)], b2[:len(b0)], b3[:len(b0)]
		d := c[:len(b0)]
		for j := range b0 {
			d[j] += a0*b0[j] + a1*b1[j] + a2*b2[j] + a3*b3[j]
		}
	}
	for ; p < k; p++ {
		av := a[p]
		bp := b[p*n : p*n+n]
		d := c[:len(bp)]
		for j, bv := range bp {
			d[j] += av * bv
		}
	}
}
