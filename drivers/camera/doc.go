// Package camera is the kiosk camera driver: a small Camera interface and two
// implementations, V4L2 (a UVC webcam through OpenCV's V4L2 backend, via gocv)
// and Replay (a video file, an image folder, one image, or generated frames).
//
// # Contract
//
// A Camera is opened by its constructor (NewV4L2, NewReplay, NewGenerated),
// streams after Start, and delivers frames through Next to one consumer
// goroutine at a time. Each Frame returned by Next is owned by the caller, who
// must call Frame.Release exactly once: Release zeroes the pixel memory and
// closes the gocv.Mat, because frames hold faces. Frames that the driver drops
// (buffer full) or still holds at Stop/Close are released by the driver.
//
// Buffering is bounded (Opts.Buffer frames). A live camera never blocks on a
// slow consumer: the oldest buffered frame is dropped and counted
// (Stats.Dropped). Replay in RateAsFastAsConsumed mode instead waits for the
// consumer, so evaluation sees every frame.
//
// When a V4L2 device disappears (unplugged, USB reset), Next returns an error
// matching ErrUnavailable, Opts.OnState reports StateUnavailable with the
// cause, and the driver reopens the device in the background with exponential
// backoff (Opts.ReopenMin .. Opts.ReopenMax); OnState reports StateStreaming
// when frames flow again. Time (timestamps, pacing, backoff) comes from
// Opts.Clock.
//
// Format negotiation prefers MJPG 1280x720 at 30 fps and falls back in the
// order of DefaultModes; see docs/camera.md.
//
// The conformance suite for any Camera is in package cameratest.
//
// References: V4L2 API (https://www.kernel.org/doc/html/latest/userspace-api/media/v4l/v4l2.html),
// USB Video Class 1.5 (https://www.usb.org/document-library/video-class-v15-document-set),
// OpenCV VideoCapture (https://docs.opencv.org/4.6.0/d8/dfe/classcv_1_1VideoCapture.html).
//
// This package must never write a frame, or anything derived from one, to a
// file, a log or a metric label, and never keeps a frame after handing it out.
package camera
