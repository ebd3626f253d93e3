//go:build goexperiment.simd && amd64

package tfjs

import "simd/archsimd"

// With GOEXPERIMENT=simd (Go 1.26's experimental simd/archsimd) the fast
// plan uses 8-lane AVX2 fused multiply-adds on processors that have them,
// and the pure-Go kernels elsewhere.

var useSIMD = archsimd.X86.AVX2() && archsimd.X86.FMA()

// simdKernels reports whether the fast plan uses AVX2/FMA kernels.
func simdKernels() bool { return useSIMD }

// gemmFast accumulates C += A·B (row-major, as gemm) with a 4×16 register
// tile: eight 8-lane accumulators stay in registers over the whole k loop,
// and each pass loads two vectors of B and broadcasts one value of A per row.
func gemmFast(m, k, n int, a, b, c []float32) {
	if !useSIMD {
		gemm(m, k, n, a, b, c)
		return
	}
	n16, n8 := n&^15, n&^7
	i := 0
	for ; i+4 <= m; i += 4 {
		for j := 0; j < n16; j += 16 {
			tile4x16(a[i*k:(i+4)*k], k, b, n, c[i*n:(i+4)*n], j)
		}
		if n8 > n16 {
			tile4x8(a[i*k:(i+4)*k], k, b, n, c[i*n:(i+4)*n], n16)
		}
	}
	for ; i < m; i++ {
		for j := 0; j < n8; j += 8 {
			tile1x8(a[i*k:(i+1)*k], b, n, c[i*n:(i+1)*n], j)
		}
	}
	if n8 < n {
		gemmColumns(m, k, n, n8, a, b, c)
	}
	// Scalar float code is compiled to legacy SSE instructions; leaving
	// the upper halves of the vector registers dirty makes every one of them
	// wait on a merge (measured: Prelu after the GEMM ran 5x slower).
	archsimd.ClearAVXUpperBits()
}

func tile4x16(a []float32, k int, b []float32, n int, c []float32, j int) {
	a0, a1, a2, a3 := a[:k], a[k:2*k], a[2*k:3*k], a[3*k:4*k]
	c0, c1, c2, c3 := c[j:], c[n+j:], c[2*n+j:], c[3*n+j:]
	s00, s01 := archsimd.LoadFloat32x8Slice(c0), archsimd.LoadFloat32x8Slice(c0[8:])
	s10, s11 := archsimd.LoadFloat32x8Slice(c1), archsimd.LoadFloat32x8Slice(c1[8:])
	s20, s21 := archsimd.LoadFloat32x8Slice(c2), archsimd.LoadFloat32x8Slice(c2[8:])
	s30, s31 := archsimd.LoadFloat32x8Slice(c3), archsimd.LoadFloat32x8Slice(c3[8:])
	for p := range a0 {
		bp := b[p*n+j : p*n+j+16]
		b0, b1 := archsimd.LoadFloat32x8Slice(bp), archsimd.LoadFloat32x8Slice(bp[8:])
		x := archsimd.BroadcastFloat32x8(a0[p])
		s00, s01 = b0.MulAdd(x, s00), b1.MulAdd(x, s01)
		x = archsimd.BroadcastFloat32x8(a1[p])
		s10, s11 = b0.MulAdd(x, s10), b1.MulAdd(x, s11)
		x = archsimd.BroadcastFloat32x8(a2[p])
		s20, s21 = b0.MulAdd(x, s20), b1.MulAdd(x, s21)
		x = archsimd.BroadcastFloat32x8(a3[p])
		s30, s31 = b0.MulAdd(x, s30), b1.MulAdd(x, s31)
	}
	s00.StoreSlice(c0)
	s01.StoreSlice(c0[8:])
	s10.StoreSlice(c1)
	s11.StoreSlice(c1[8:])
	s20.StoreSlice(c2)
	s21.StoreSlice(c2[8:])
	s30.StoreSlice(c3)
	s31.StoreSlice(c3[8:])
}

func tile4x8(a []float32, k int, b []float32, n int, c []float32, j int) {
	a0, a1, a2, a3 := a[:k], a[k:2*k], a[2*k:3*k], a[3*k:4*k]
	c0, c1, c2, c3 := c[j:], c[n+j:], c[2*n+j:], c[3*n+j:]
	s0, s1 := archsimd.LoadFloat32x8Slice(c0), archsimd.LoadFloat32x8Slice(c1)
	s2, s3 := archsimd.LoadFloat32x8Slice(c2), archsimd.LoadFloat32x8Slice(c3)
	for p := range a0 {
		b0 := archsimd.LoadFloat32x8Slice(b[p*n+j : p*n+j+8])
		s0 = b0.MulAdd(archsimd.BroadcastFloat32x8(a0[p]), s0)
		s1 = b0.MulAdd(archsimd.BroadcastFloat32x8(a1[p]), s1)
		s2 = b0.MulAdd(archsimd.BroadcastFloat32x8(a2[p]), s2)
		s3 = b0.MulAdd(archsimd.BroadcastFloat32x8(a3[p]), s3)
	}
	s0.StoreSlice(c0)
	s1.StoreSlice(c1)
	s2.StoreSlice(c2)
	s3.StoreSlice(c3)
}

func tile1x8(a, b []float32, n int, c []float32, j int) {
	s := archsimd.LoadFloat32x8Slice(c[j:])
	for p, v := range a {
		s = archsimd.LoadFloat32x8Slice(b[p*n+j:p*n+j+8]).MulAdd(archsimd.BroadcastFloat32x8(v), s)
	}
	s.StoreSlice(c[j:])
}

// gemmColumns does the last n-j0 (fewer than 8) columns in scalar code.
func gemmColumns(m, k, n, j0 int, a, b, c []float32) {
	for i := 0; i < m; i++ {
		ai, ci := a[i*k:(i+1)*k], c[i*n:(i+1)*n]
		for j := j0; j < n; j++ {
			s := ci[j]
			for p, v := range ai {
				s += v * b[p*n+j]
			}
			ci[j] = s
		}
	}
}

// depthwise3x3 is depthwise3x3Go eight channels at a time.
func depthwise3x3(r0, r1, r2, f, o []float32) {
	c := len(o)
	if !useSIMD || c < 8 {
		depthwise3x3Go(r0, r1, r2, f, o)
		return
	}
	j := 0
	for ; j+8 <= c; j += 8 {
		s := archsimd.LoadFloat32x8Slice(r0[j:]).Mul(archsimd.LoadFloat32x8Slice(f[j:]))
		s = tap(r0[c+j:], f[c+j:], s)
		s = tap(r0[2*c+j:], f[2*c+j:], s)
		s = tap(r1[j:], f[3*c+j:], s)
		s = tap(r1[c+j:], f[4*c+j:], s)
		s = tap(r1[2*c+j:], f[5*c+j:], s)
		s = tap(r2[j:], f[6*c+j:], s)
		s = tap(r2[c+j:], f[7*c+j:], s)
		s = tap(r2[2*c+j:], f[8*c+j:], s)
		s.StoreSlice(o[j:])
	}
	archsimd.ClearAVXUpperBits()
	if j < c {
		// The last c%8 channels: the scalar kernel on the channel tail.
		for ; j < c; j++ {
			s := r0[j] * f[j]
			for t := 1; t < 9; t++ {
				row := [3][]float32{r0, r1, r2}[t/3]
				s += row[(t%3)*c+j] * f[t*c+j]
			}
			o[j] = s
		}
	}
}

func tap(x, w []float32, s archsimd.Float32x8) archsimd.Float32x8 {
	return archsimd.LoadFloat32x8Slice(x).MulAdd(archsimd.LoadFloat32x8Slice(w), s)
}

// preluFast is prelu eight values at a time: max(v, 0) + alpha*min(v, 0).
func preluFast(x, alpha []float32) {
	c := len(alpha)
	if !useSIMD || c%8 != 0 {
		prelu(x, alpha)
		return
	}
	zero := archsimd.BroadcastFloat32x8(0)
	for i := 0; i+c <= len(x); i += c {
		v := x[i : i+c]
		for j := 0; j < c; j += 8 {
			y := archsimd.LoadFloat32x8Slice(v[j:])
			a := archsimd.LoadFloat32x8Slice(alpha[j:])
			y.Min(zero).MulAdd(a, y.Max(zero)).StoreSlice(v[j:])
		}
	}
	archsimd.ClearAVXUpperBits()
}

// addIntoFast is addInto eight values at a time.
func addIntoFast(o, r []float32) {
	if !useSIMD {
		addInto(o, r)
		return
	}
	r = r[:len(o)]
	j := 0
	for ; j+8 <= len(o); j += 8 {
		archsimd.LoadFloat32x8Slice(o[j:]).Add(archsimd.LoadFloat32x8Slice(r[j:])).StoreSlice(o[j:])
	}
	archsimd.ClearAVXUpperBits()
	addInto(o[j:], r[j:])
}
