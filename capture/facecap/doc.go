// Package facecap is the face capture run of the capture process: settle
// frames (the face in place before the challenge clock starts), the
// liveness loop, retry-on-no-shot, debounced prompts for the citizen, the
// mapping of liveness cues to the support scores INE receives, and the
// best-shot JPEG of a live face.
//
// Capturer implements session.FaceCapturer over a camhub.Hub; Run runs the
// very same pipeline on a camera of the caller's, for the liveness
// evaluation harness, so evaluation measures what a kiosk does.
//
// This package must never write a frame, a best shot or a cue score linked
// to a person anywhere: the JPEG goes only into memory from the caller's
// allocator, and Hooks receive durations and decisions, never images.
package facecap
