// Package finger is the kiosk's fingerprint pipeline: it judges a scanner
// image, tells the citizen how to place the finger better, and encodes the
// accepted image for the verification request.
//
// Data flow for one capture (the session drives it; docs/fingerprint.md
// describes every rule and figure):
//
//	*image.Gray from the scanner driver (R30x: 256x288, 4-bit samples as v*17)
//	  -> Normalize          bring the image to 500 ppi (a no-op for the R30x)
//	  -> Assessor.Assess    foreground segmentation, NFIQ 2-style features
//	                        (orientation certainty, local clarity, frequency
//	                        domain, orientation flow, contrast, area), a 0-100
//	                        score, Accept/Retry/NoFinger and Spanish feedback
//	  -> Assessor.Choose    which of several attempts to send
//	  -> Encoder.Record     ISO/IEC 19794-4 record with a WSQ image (package
//	                        wsq), written into caller memory; or Encoder.WSQ
//	                        for the bare WSQ stream
//
// Biometric memory: every function that produces image-derived bytes takes an
// Alloc and calls it once with the exact size, so the session can hand out
// locked, wipeable secmem buffers; the caller owns and wipes them. Internal
// working memory is cleared before each call returns.
//
// This package never writes files, never logs, and never puts pixel data or
// anything derived from a person into an error. Features and scores describe
// capture quality only and may be logged or counted.
package finger
