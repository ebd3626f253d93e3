// Package eval measures presentation-attack detection the ISO/IEC 30107-3
// way: it runs capture/face and liveness over the items of a manifest (real
// recordings and attacks, some synthesised in memory by this package) and
// reports APCER per attack type, BPCER, their 95% Clopper-Pearson intervals
// and the worst-case attack type, for the passive (static) part alone and
// for the full static plus dynamic check.
//
// It reads media files; it never writes a frame or anything derived from
// one anywhere.
package eval
