//go:build !(goexperiment.simd && amd64)

package tfjs

// Without GOEXPERIMENT=simd the fast plan uses the pure-Go kernels.

// gemmFast is the GEMM the fast plan uses.
func gemmFast(m, k, n int, a, b, c []float32) { gemm(m, k, n, a, b, c) }

func depthwise3x3(r0, r1, r2, f, o []float32) { depthwise3x3Go(r0, r1, r2, f, o) }

func preluFast(x, alpha []float32) { prelu(x, alpha) }

func addIntoFast(o, r []float32) { addInto(o, r) }

// simdKernels reports whether the fast plan uses AVX2/FMA kernels.
func simdKernels() bool { return false }
