// Package fingergen makes synthetic fingerprints, in the spirit of SFinGe
// (Cappelli, Maio, Maltoni): a master fingerprint is grown from noise by
// repeated Gabor filtering that follows an orientation field with the
// singular points of a class (arch, tented arch, left loop, right loop,
// whorl) and a smoothly varying ridge frequency; impressions of it differ
// by rotation, translation, elastic distortion, contact area, pressure
// (ridge thickness), dryness (broken ridges) and noise.
//
// Everything is deterministic from a seed: the same seed is the same finger,
// the same (seed, impression) the same image, on every machine. So tests and
// evaluations have genuine pairs (two impressions of one seed) and impostor
// pairs (two seeds) without outside data. Output is 8-bit grayscale at 500
// ppi, dark ridges on a light background; Render crops and resamples an
// impression to a sensor's geometry (256x288 for the R307).
//
// These are synthetic images of nobody. The package must never load, learn
// from or embed real fingerprints, and never write files.
package fingergen
