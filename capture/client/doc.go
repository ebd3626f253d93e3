// Package client is the daemon's side of the capture process: it starts
// cmd/ventanilla-capture with one end of a SOCK_SEQPACKET socketpair as fd
// 3, supervises it (restart with backoff when it dies), and implements
// session.FaceCapturer and session.Previewer over capture/proto.
//
// A best shot is read into a locked receive buffer, copied into a Secret
// of its exact size from the caller's allocator, and the receive buffer is
// wiped. A capture running when the process dies fails with
// session.ErrDevice; the next one runs on the restarted process.
//
// The watchdog's "capture" loop beats only on progress: each Pong to the
// client's Ping, once the reader has dispatched it, and each restart. A
// process that stops answering is killed after PingMisses pings; a reader
// stuck behind a hook keeps the loop waiting, so the beats stop.
//
// This package is pure Go: it must never import OpenCV (directly or
// through capture/facecap, camhub or the drivers), and never log a
// payload.
package client
