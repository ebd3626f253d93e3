// Package cvmatch is the reference INE service's biometric matcher, built on
// OpenCV 4.6 through gocv v0.31.0 (the cgo leaf of uplink/inesim). It is
// compiled only with the build tag cvmatch (`go build -tags cvmatch
// ./cmd/ine-sim`), so nothing links OpenCV unasked; without the tag only
// its pure-Go ISO/IEC 19794-4 helpers and DefaultCascade remain.
//
// Face similarity: Local Binary Pattern Histograms (Ahonen, Hadid and
// Pietikäinen, "Face Description with Local Binary Patterns", IEEE TPAMI
// 2006), the method of OpenCV's cv::face::LBPHFaceRecognizer. gocv's contrib
// package does not build against Debian's OpenCV 4.6 (no xfeatures2d), so
// the histogram step is written here in Go on OpenCV-prepared crops: both
// images are decoded to grey by OpenCV, the largest frontal face is found
// with the Viola-Jones Haar cascade haarcascade_frontalface_default.xml (if
// none is found, the central square is used), cropped, resized to 128x128
// and histogram-equalised; uniform LBP(8,1) codes are histogrammed in an 8x8
// grid (59 bins per cell, each cell normalised) and compared with the
// chi-square distance OpenCV's LBPH uses (HISTCMP_CHISQR_ALT, range 0-256).
// The distance d maps to 100 / (1 + exp((d - 80) / 10)): identical crops
// score 100; on our samples, two photos of one person scored about 94
// (d = 52) and different people 0-4 (d = 112-146).
//
// Fingerprint similarity: normalised cross-correlation of ridge images
// (correlation-based matching, see Maltoni et al., Handbook of Fingerprint
// Recognition, 2nd ed., section 4.2). Both images are decoded to grey,
// equalised with CLAHE and blurred (3x3 Gaussian); the central part of the
// probe (60% of each side) is rotated by -24..24 degrees (11 steps: two
// placements of ±12° each) and slid over the reference with
// cv::matchTemplate (TM_CCOEFF_NORMED). The best coefficient c maps
// linearly to 0-100 between 0.20 and 0.55, calibrated on the emulator's
// impressions (genuine 0.48-0.80, impostors 0.10-0.30; docs/uplink.md).
//
// Limits, honestly: these are simple, explainable methods good enough for a
// simulator and for tests, not INE's matchers. LBPH is sensitive to pose,
// lighting and expression and is not calibrated on a population; the Haar
// detector misses non-frontal faces. Correlation matching assumes both
// prints are at the same resolution (about 500 dpi), tolerates only small
// rotations and translations, and degrades with skin distortion and partial
// overlap. No score here should be read as a false-match rate.
//
// The probe's decoded pixels are zeroed in every Mat before it is closed;
// OpenCV's internal temporaries cannot be wiped. WSQ probes need a decoder
// (Opts.DecodeWSQ) from the capture packages; ISO/IEC 19794-4 records with
// uncompressed, PNG or JPEG data are read here. This package never writes
// files.
package cvmatch
