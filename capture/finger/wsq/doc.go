// Package wsq encodes and decodes 8-bit grayscale fingerprint images in the
// FBI Wavelet Scalar Quantization format: "WSQ Gray-scale Fingerprint Image
// Compression Specification", IAFIS-IC-0110 v3.1. NIST's NBIS (libwsq) is the
// reference implementation the output is compared with (docs/fingerprint.md).
//
// The data flow of the encoder is the specification's, one file per stage:
//
//	pixels -> shift/scale to about ±128 (image.go)
//	       -> 2-D 9/7 symmetric wavelet decomposition into 64 subbands
//	          (tree.go: subband geometry, filter.go: the filter bank)
//	       -> subband variances and bin widths for a target bit rate,
//	          uniform scalar quantisation with a dead zone (quant.go)
//	       -> run-length categories and Huffman coding in 3 blocks
//	          (symbols.go, huffman.go, bits.go)
//	       -> SOI, COM (NIST_COM), DTT, DQT, SOF, DHT, SOB..., EOI (encode.go,
//	          segments.go)
//
// and the decoder runs it backwards (decode.go).
//
// Biometric bytes: the encoder asks the caller for its output memory through
// an [Alloc] function, called once with the exact encoded size, so the stream
// can live in locked, wipeable memory (a secmem buffer) and never in the Go
// heap. Transform scratch (the float plane, the quantised coefficients) lives
// in the [Encoder] and is cleared before Encode returns.
//
// This package never writes files, never logs, and never puts pixel values or
// comment text into error messages. Decoding is bounded: declared sizes are
// checked against [DecodeOptions.MaxPixels] before anything is allocated, and
// no input makes it panic (see FuzzDecode).
package wsq
