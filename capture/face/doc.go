// Package face turns camera frames into a face observation per frame and,
// at the end, one frontal JPEG for the verification request.
//
// Per frame (Analyzer.Process): detection on a downscaled grey image every
// Opts.DetectEvery frames (Haar cascade from opencv-data by default, or a
// DNN detector loaded from a configured path), pyramidal Lucas-Kanade
// tracking of feature points in between (also handed to package liveness for
// its 3D-structure and background-motion cues), then a quality gate whose
// result carries a feedback Code with an es-MX message for the kiosk UI, and
// a best-shot selector. BestShot aligns the best frame to the token frontal
// geometry of ISO/IEC 19794-5 (see Geometry) and JPEG-encodes it into memory
// obtained from the caller's Alloc, so the caller can lock and wipe it.
//
// Memory: every Mat this package creates is released before the call
// returns, except the best-shot crop, which the Analyzer owns until Reset or
// Close; both wipe it. Frames passed to Process stay owned by the caller.
//
// This package must never write a frame, a crop, a JPEG or anything derived
// from a face to a file, a log or a metric label.
package face
