// Package liveness decides whether the face in front of the kiosk camera is
// a live person (ISO/IEC 30107 presentation-attack detection), from the
// frames and the face observations of package capture/face.
//
// Static cues (one frame, passive), each a named score (see static.go):
// screen moiré and pixel-grid peaks in the face's spectrum, print texture
// (excess high-frequency energy), colour gamut (colourfulness), specular
// glare, straight borders framing the face (paper or phone edges), and the
// blur profile (re-blur blur estimate). Dynamic cues (see motion.go,
// challenge.go): a random challenge sequence (turn left/right, blink, smile,
// move closer) with per-step timeouts, verified from the frames; 3D
// structure (residual of a homography fitted to tracked face points: a photo
// or screen moved in front of the camera stays planar); face-versus-surround
// motion (a hand-held photo carries its own background along); a frozen
// stream. Evidence of life (needed for LIVE in both modes): the inner face
// outside the eyes deforms or shows depth (mask.go), so live eyes behind a
// cut-out print do not count. Measured only: judder (a recording shown at
// another frame rate stops for single frames) and the dark floor.
//
// The result is a Decision in a closed vocabulary, LIVE, SPOOF(reason) or
// UNCERTAIN(reason), with every cue score, the thresholds from Opts and an
// explanation for technicians. The explanation holds measurements only; it
// must never be stored or logged together with anything identifying the
// citizen.
//
// This package must never write frames, crops or anything derived from a
// face to a file, a log or a metric label.
package liveness
