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
// This package is pure Go: it must never import OpenCV (directly or
// through capture/facecap, camhub or the drivers), and never log a
// payload.
package client
