// Package tfjs is a small, pure-Go, single-threaded float32 runtime for
// TensorFlow.js "graph-model" files (model.json plus binary weight shards), as
// produced by tensorflowjs_converter. It exists so the kiosk can run the
// MediaPipe face mesh and the packaged anti-spoofing models (liveness/pad)
// without a JavaScript engine or a second ML framework:
// OpenCV 4.6's DNN module cannot read TF.js graphs.
//
// It supports only the operations those models need (see [Supported]),
// with batch size 1, NHWC layout and float32 arithmetic; a graph with any
// other op, data type or attribute is rejected at load time with an error
// naming it, never approximated. Weights may be stored as float32, int32 or
// float16-quantised float32.
//
// A [Graph] plans every buffer at load time: [Graph.Run] allocates nothing and
// starts no goroutines. A Graph is not safe for concurrent use.
//
// The plan is the fast one: a residual block's Prelu(AddV2(conv, skip)) is
// folded into the convolution's epilogue, convolutions run 32 output pixels
// at a time (im2col, bias, GEMM, residual and activation while the block is
// in cache), and 3x3 depthwise windows inside the image sum their taps in
// registers. Built with GOEXPERIMENT=simd (Go 1.26's experimental
// simd/archsimd) on a processor with AVX2 and FMA, the GEMM, the depthwise
// kernel and the epilogue use 8-lane fused multiply-adds (a 4x16 register
// tile); otherwise they are plain Go. The first, straightforward kernels
// (reference.go) are kept as the tests' oracle and the benchmarks' baseline.
//
// This package must never read files on its own (the caller supplies the
// bytes), fetch anything over a network, or keep, log or write the tensors it
// is given: they are derived from a person's face.
package tfjs
