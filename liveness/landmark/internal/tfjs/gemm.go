package tfjs

// gemm accumulates C += A·B for row-major A (m×k), B (k×n), C (m×n).
// Four rows of B are streamed together so each pass over a C row does four
// multiply-adds per load; the inner loop is free of bounds checks.
func gemm(m, k, n int, a, b, c []float32) {
	for i := 0; i < m; i++ {
		gemmRow(a[i*k:(i+1)*k], b, c[i*n:(i+1)*n], n)
	}
}

func gemmRow(a, b, c []float32, n int) {
	k := len(a)
	p := 0
	for ; p+4 <= k; p += 4 {
		a0, a1, a2, a3 := a[p], a[p+1], a[p+2], a[p+3]
		b0 := b[p*n : p*n+n]
		b1 := b[(p+1)*n : (p+1)*n+n]
		b2 := b[(p+2)*n : (p+2)*n+n]
		b3 := b[(p+3)*n : (p+3)*n+n]
		b1, b2, b3 = b1[:len(b0)], b2[:len(b0)], b3[:len(b0)]
		c := c[:len(b0)]
		for j := range b0 {
			c[j] += a0*b0[j] + a1*b1[j] + a2*b2[j] + a3*b3[j]
		}
	}
	for ; p < k; p++ {
		av := a[p]
		bp := b[p*n : p*n+n]
		c := c[:len(bp)]
		for j, bv := range bp {
			c[j] += av * bv
		}
	}
}
