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
// This package must never read files on its own (the caller supplies the
// bytes), fetch anything over a network, or keep, log or write the tensors it
// is given: they are derived from a person's face.
package tfjs
