package daemon

// wireCamera wires the camera, the face quality gate and liveness, and sets
// s.faceCapture and s.preview for the session engine. (Being written.)
func wireCamera(s *System) {}
