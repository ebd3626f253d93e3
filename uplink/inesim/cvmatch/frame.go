//go:build cvmatch

package cvmatch

import (
	"fmt"

	"gocv.io/x/gocv"
)

// FaceFrame returns the first frame of the video at path, from frame from
// (0-based) on, in which the face detector finds a frontal face,
// PNG-encoded in memory, and its index: how `ine-sim serve -face-video`
// enrols the person of the recording that `make run`'s emulated camera
// replays as the demo citizens' face reference. A frame where no face is
// found would be compared by its central square, which the kiosk's
// face crops never match. It writes nothing; the caller holds the bytes (a
// reference of the simulated INE registry, never a kiosk capture).
func (m *Matcher) FaceFrame(path string, from int) ([]byte, int, error) {
	vc, err := gocv.VideoCaptureFile(path)
	if err != nil {
		return nil, 0, fmt.Errorf("cvmatch: open video: %w", err)
	}
	defer vc.Close()
	w := m.get()
	defer m.put(w)
	img, grey := gocv.NewMat(), gocv.NewMat()
	defer img.Close()
	defer grey.Close()
	for i := 0; vc.Read(&img) && !img.Empty(); i++ {
		if i < from {
			continue
		}
		gocv.CvtColor(img, &grey, gocv.ColorBGRToGray)
		if len(w.cascade.DetectMultiScale(grey)) == 0 {
			continue
		}
		buf, err := gocv.IMEncode(gocv.PNGFileExt, img)
		if err != nil {
			return nil, 0, fmt.Errorf("cvmatch: encode frame %d: %w", i, err)
		}
		defer buf.Close()
		return append([]byte(nil), buf.GetBytes()...), i, nil
	}
	return nil, 0, fmt.Errorf("cvmatch: no frame from %d on shows a frontal face", from)
}
