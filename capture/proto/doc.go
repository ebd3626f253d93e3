// Package proto is the message format between the daemon and the capture
// process (cmd/ventanilla-capture): one message per SOCK_SEQPACKET datagram,
// a type byte, a big-endian uint32 payload length that must equal the rest
// of the datagram, and a payload whose form the type fixes.
//
// Down (daemon to capture): Configure, Capture, Cancel, Preview, SelfTest,
// Ping (a sequence number).
// Up (capture to daemon): Ready, Prompt, Frame (a preview JPEG), Result
// (the liveness summary and, for a live face, the best-shot JPEG), Error,
// Camera (the device's state and counters), SelfTestDone, Pong (the Ping's
// number, answered by the request loop itself).
//
// Decoding is strict: an unknown type, a wrong length, an oversized
// payload, trailing bytes, unknown JSON fields or values outside their
// vocabulary are errors, so a confused or compromised peer is noticed and
// the connection dropped. Only the best shot and the decision cross the
// boundary; full camera frames never do.
//
// This package is pure Go and must never import OpenCV, log a payload, or
// keep a reference to a JPEG after returning it to the caller.
package proto
