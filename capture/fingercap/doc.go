// Package fingercap is the finger capture run of the daemon: it asks the
// citizen to place and lift the finger, keeps the best of up to
// MaxAttempts scanner images by quality, and encodes the chosen one as an
// ISO/IEC 19794-4 record or WSQ, all in memory from the caller's
// allocator. It is pure Go and runs in the daemon (the scanner is a serial
// device; nothing here needs OpenCV).
//
// This package must never write a fingerprint image or record anywhere,
// nor keep one past the capture: every image not sent is released (wiped)
// at once.
package fingercap
