package face

import (
	"errors"
	"image"
	"image/color"
	"math"
	"testing"
	"time"

	"github.com/ventanilla-mx/ventanilla/drivers/camera/cameratest"
	"github.com/ventanilla-mx/ventanilla/internal/fixtures"
	"github.com/ventanilla-mx/ventanilla/internal/testenv"
	"gocv.io/x/gocv"
)

// loadFace returns gocv's face.jpg (a 640x480 webcam frame, one face).
func loadFace(tb testing.TB) gocv.Mat {
	tb.Helper()
	m := gocv.IMRead(fixtures.GocvImage(tb, "face.jpg"), gocv.IMReadColor)
	if m.Empty() {
		tb.Fatal("cannot decode face.jpg")
	}
	return m
}

// shifted returns frame translated by (dx, dy) with a little sensor noise,
// as a camera would see a small head movement.
func shifted(src gocv.Mat, dx, dy float64, seed int) gocv.Mat {
	m := gocv.NewMatWithSize(2, 3, gocv.MatTypeCV64F)
	defer m.Close()
	for i, v := range []float64{1, 0, dx, 0, 1, dy} {
		m.SetDoubleAt(i/3, i%3, v)
	}
	out := gocv.NewMat()
	gocv.WarpAffineWithParams(src, &out, m, image.Pt(src.Cols(), src.Rows()), gocv.InterpolationLinear, gocv.BorderReplicate, color.RGBA{})
	gocv.SetRNGSeed(seed) // deterministic noise per frame
	noise := gocv.NewMatWithSize(src.Rows(), src.Cols(), gocv.MatTypeCV8UC3)
	defer noise.Close()
	gocv.RandN(&noise, gocv.NewScalar(0, 0, 0, 0), gocv.NewScalar(2, 2, 2, 0))
	gocv.Add(out, noise, &out)
	return out
}

func newAnalyzer(tb testing.TB, o *Opts) *Analyzer {
	tb.Helper()
	a, err := New(o)
	if err != nil {
		testenv.RequireFile(tb, "cascades (install opencv-data)", err)
	}
	return a
}

func TestProcessFindsAndTracksTheFace(t *testing.T) {
	before := cameratest.MatCount()
	src := loadFace(t)
	o := DefaultOpts()
	o.DetectEvery = 100 // track only, so the box's motion is the tracker's
	a := newAnalyzer(t, o)
	t0 := time.Unix(0, 0)
	var obs []Observation
	for i := 0; i < 12; i++ {
		f := shifted(src, float64(i), float64(i)/2, i)
		obs = append(obs, a.Process(f, t0.Add(time.Duration(i)*33*time.Millisecond)))
		f.Close()
	}
	first, last := obs[0], obs[len(obs)-1]
	if !first.Found || first.Faces != 1 || !first.Detected {
		t.Fatalf("frame 0: found=%v faces=%d detected=%v; want one detected face", first.Found, first.Faces, first.Detected)
	}
	if obs[1].Detected || !obs[1].Found {
		t.Errorf("frame 1: detected=%v found=%v; want tracked without detection", obs[1].Detected, obs[1].Found)
	}
	// The face moved 11 px right and 5.5 px down; the tracked box must follow.
	d := last.Box.Min.Add(last.Box.Max).Div(2).Sub(first.Box.Min.Add(first.Box.Max).Div(2))
	if math.Abs(float64(d.X)-11) > 4 || math.Abs(float64(d.Y)-5.5) > 4 {
		t.Errorf("box moved by %v; want about (11, 5)", d)
	}
	if len(last.Prev) == 0 || len(last.Points) == 0 {
		t.Error("no tracked points reported")
	}
	if first.FrameDiff != -1 || obs[1].FrameDiff <= 0 {
		t.Errorf("FrameDiff = %v, %v; want -1 then > 0", first.FrameDiff, obs[1].FrameDiff)
	}
	src.Close()
	a.Close()
	if after := cameratest.MatCount(); after != before {
		t.Errorf("Mat leak: %d -> %d", before, after)
	}
}

// TestEyesEvery: the eye cascade runs every EyesEvery frames; in between,
// the eyes follow the tracked box. SetEyesEvery(1) searches every frame.
func TestEyesEvery(t *testing.T) {
	src := loadFace(t)
	defer src.Close()
	o := DefaultOpts()
	o.DetectEvery, o.EyesEvery = 100, 3
	a := newAnalyzer(t, o)
	defer a.Close()
	var searched []bool
	var last Observation
	for i := 0; i < 9; i++ {
		if i == 6 {
			a.SetEyesEvery(1)
		}
		f := shifted(src, float64(i), 0, i)
		obs := a.Process(f, time.Unix(int64(i), 0))
		f.Close()
		searched = append(searched, obs.EyesSearched)
		if !obs.EyesSearched && obs.Quality.EyesFound == last.Quality.EyesFound && last.Quality.EyesFound > 0 {
			moved := obs.Box.Min.X - last.Box.Min.X
			if d := obs.Eyes[0].X - last.Eyes[0].X; absInt(d-moved) > 1 {
				t.Errorf("frame %d: remembered eye moved %d px, box %d px", i, d, moved)
			}
		}
		last = obs
	}
	want := []bool{true, false, true, false, false, true, true, true, true}
	for i := range want {
		if searched[i] != want[i] {
			t.Fatalf("eye searches %v; want %v", searched, want)
		}
	}
}

func TestNoFace(t *testing.T) {
	a := newAnalyzer(t, nil)
	defer a.Close()
	blank := gocv.NewMatWithSize(480, 640, gocv.MatTypeCV8UC3)
	defer blank.Close()
	blank.SetTo(gocv.NewScalar(90, 120, 140, 0))
	o := a.Process(blank, time.Unix(0, 0))
	if o.Found || o.Quality.Code != NoFace {
		t.Errorf("blank frame: found=%v code=%s; want no face", o.Found, o.Quality.Code)
	}
	empty := gocv.NewMat()
	defer empty.Close()
	if o := a.Process(empty, time.Unix(0, 0)); o.Quality.Code != NoFace {
		t.Errorf("empty Mat: code=%s; want face.none", o.Quality.Code)
	}
}

func TestGate(t *testing.T) {
	o := DefaultOpts().Quality
	good := Quality{Faces: 1, EyesFound: 2, EyeDistance: 120, Sharpness: 300, Brightness: 130, Contrast: 40}
	frame := image.Pt(1280, 720)
	box := image.Rect(490, 200, 790, 500)
	tests := []struct {
		name string
		mod  func(q *Quality)
		box  image.Rectangle
		want Code
	}{
		{"good", func(q *Quality) {}, box, OK},
		{"two faces", func(q *Quality) { q.Faces = 2 }, box, ManyFaces},
		{"small", func(q *Quality) { q.EyeDistance = 60 }, box, TooFar},
		{"too close", func(q *Quality) {}, image.Rect(100, 0, 1100, 720), TooClose},
		{"off centre", func(q *Quality) { q.OffCentre = 0.3 }, box, OffCentre},
		{"turned", func(q *Quality) { q.Yaw = 25 }, box, NotFrontal},
		{"nodding", func(q *Quality) { q.Pitch = -20 }, box, NotFrontal},
		{"dark", func(q *Quality) { q.Brightness = 40 }, box, TooDark},
		{"glare", func(q *Quality) { q.Clipped = 0.2 }, box, TooBright},
		{"flat", func(q *Quality) { q.Contrast = 10 }, box, LowContrast},
		{"blurred", func(q *Quality) { q.Sharpness = 20 }, box, Blurry},
		{"eyes closed", func(q *Quality) { q.EyesFound = 0 }, box, EyesClosed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := good
			tt.mod(&q)
			gate(&q, tt.box, frame, o)
			if q.Code != tt.want {
				t.Errorf("gate: %s (failed %v); want %s", q.Code, q.Failed, tt.want)
			}
			if (q.Code == OK) != (q.Score > 0) {
				t.Errorf("score %v with code %s; want > 0 exactly when OK", q.Score, q.Code)
			}
		})
	}
}

func TestEveryCodeHasSpanish(t *testing.T) {
	for _, c := range Codes() {
		if c.Message() == "" {
			t.Errorf("%s has no es-MX message", c)
		}
	}
}

func TestEstimatePose(t *testing.T) {
	box := image.Rect(0, 0, 250, 250)
	frontal := [2]image.Point{{75, 100}, {175, 100}}
	if y, p, r := estimatePose(box, frontal); math.Abs(y) > 1 || math.Abs(p) > 1 || math.Abs(r) > 1 {
		t.Errorf("frontal: yaw %v pitch %v roll %v; want ~0", y, p, r)
	}
	turned := [2]image.Point{{115, 100}, {215, 100}}
	if y, _, _ := estimatePose(box, turned); y < 15 {
		t.Errorf("eyes 40 px right of centre: yaw %v; want > 15", y)
	}
	tilted := [2]image.Point{{75, 80}, {175, 120}}
	if _, _, r := estimatePose(box, tilted); math.Abs(r-21.8) > 0.5 {
		t.Errorf("roll %v; want atan(40/100) = 21.8", r)
	}
}

func TestBestShotGeometryAndAlloc(t *testing.T) {
	before := cameratest.MatCount()
	src := loadFace(t)
	o := DefaultOpts()
	o.Quality.MinEyeDistance = 40 // face.jpg's eyes are about 88 px apart
	a := newAnalyzer(t, o)
	if _, err := a.BestShot(func(n int) ([]byte, error) { return make([]byte, n), nil }); !errors.Is(err, ErrNoShot) {
		t.Errorf("BestShot before any frame: %v; want ErrNoShot", err)
	}
	var obs Observation
	for i := 0; i < 12; i++ {
		f := shifted(src, float64(i%2), 0, i)
		obs = a.Process(f, time.Unix(int64(i), 0))
		f.Close()
	}
	q, ok := a.BestQuality()
	if !ok {
		t.Fatalf("no best shot; last gate result %s (failed %v)", obs.Quality.Code, obs.Quality.Failed)
	}
	var given []byte
	shot, err := a.BestShot(func(n int) ([]byte, error) { given = make([]byte, n); return given, nil })
	if err != nil {
		t.Fatal(err)
	}
	if &shot.JPEG[0] != &given[0] || shot.Quality.Score != q.Score {
		t.Error("the JPEG is not in the allocator's memory, or quality not attached")
	}
	img, err := gocv.IMDecode(shot.JPEG, gocv.IMReadColor)
	if err != nil {
		t.Fatal(err)
	}
	if img.Cols() != 480 || img.Rows() != 640 {
		t.Fatalf("crop %dx%d; want 480x640 (token frontal, W=480)", img.Cols(), img.Rows())
	}
	// The eyes must land near (180, 288) and (300, 288).
	g := gocv.NewMat()
	gocv.CvtColor(img, &g, gocv.ColorBGRToGray)
	e, n, _ := findEyes(&a.eyes, g, image.Rect(60, 100, 420, 560))
	img.Close()
	g.Close()
	if n == 2 && (absInt(e[0].Y-288) > 16 || absInt(e[1].X-e[0].X-120) > 20) {
		t.Errorf("eyes in crop at %v; want about (180,288) and (300,288)", e)
	}
	if _, err := a.BestShot(func(n int) ([]byte, error) { return nil, errors.New("locked memory exhausted") }); err == nil {
		t.Error("allocator failure: want an error")
	}
	src.Close()
	a.Close()
	if after := cameratest.MatCount(); after != before {
		t.Errorf("Mat leak: %d -> %d", before, after)
	}
}

func absInt(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

func TestBadModelPaths(t *testing.T) {
	if _, err := New(&Opts{FaceCascade: "/nonexistent/cascade.xml"}); !errors.Is(err, ErrModel) {
		t.Errorf("missing cascade: %v; want ErrModel", err)
	}
	if _, err := New(&Opts{DNNModel: "/nonexistent/res10.caffemodel"}); !errors.Is(err, ErrModel) {
		t.Errorf("missing DNN model: %v; want ErrModel", err)
	}
}

// TestPlanOneCostlyJobPerFrame: with the default schedule a frame that
// re-detects carries no eye search (it moves to the next frame), a frame
// the plan keeps for the caller carries neither, and a face that is still
// tracked is re-detected after DetectEvery frames. Opts.Legacy (the old
// schedule) stacks them.
func TestPlanOneCostlyJobPerFrame(t *testing.T) {
	src := loadFace(t)
	defer src.Close()
	run := func(legacy bool, yield func(i int) bool) (det, eyes []bool) {
		o := DefaultOpts()
		o.DetectEvery, o.EyesEvery, o.Legacy = 4, 3, legacy
		a := newAnalyzer(t, o)
		defer a.Close()
		for i := 0; i < 12; i++ {
			a.SetPlan(Plan{Yield: yield(i)})
			f := shifted(src, float64(i%4), 0, i)
			obs := a.Process(f, time.Unix(int64(i), 0))
			f.Close()
			det, eyes = append(det, obs.Detected), append(eyes, obs.EyesSearched)
		}
		return det, eyes
	}
	never := func(int) bool { return false }
	det, eyes := run(false, never)
	stacked := false
	for i := 1; i < len(det); i++ {
		if det[i] && eyes[i] {
			t.Errorf("frame %d carries a detection and an eye search (det %v eyes %v)", i, det, eyes)
		}
	}
	if n := count(det); n < 3 {
		t.Errorf("%d detections in 12 frames; want a re-detection every 4 frames (%v)", n, det)
	}
	det, eyes = run(true, never)
	for i := 1; i < len(det); i++ {
		stacked = stacked || det[i] && eyes[i]
	}
	if !stacked {
		t.Errorf("legacy schedule: no frame stacked a detection and an eye search (det %v eyes %v); the baseline no longer differs", det, eyes)
	}
	odd := func(i int) bool { return i%2 == 1 }
	det, eyes = run(false, odd)
	for i := 1; i < len(det); i += 2 {
		if det[i] || eyes[i] {
			t.Errorf("frame %d was kept for the caller but detected=%v searched=%v", i, det[i], eyes[i])
		}
	}
	if count(eyes) < 3 || count(det) < 3 {
		t.Errorf("kept frames starved the jobs: det %v eyes %v", det, eyes)
	}
}

func count(v []bool) int {
	n := 0
	for _, b := range v {
		if b {
			n++
		}
	}
	return n
}

// TestEyesNear: the narrow search finds the eyes the whole-face search
// found, within a few pixels, and gives up (n < 2) when its squares miss.
func TestEyesNear(t *testing.T) {
	src := loadFace(t)
	defer src.Close()
	a := newAnalyzer(t, nil)
	defer a.Close()
	g := gocv.NewMat()
	defer g.Close()
	gocv.CvtColor(src, &g, gocv.ColorBGRToGray)
	box := image.Rect(246, 162, 456, 372)
	e, n, side := findEyes(&a.eyes, g, box)
	if n != 2 {
		t.Fatalf("whole-face search found %d eyes in face.jpg; want 2", n)
	}
	near, n2, _ := findEyesNear(&a.eyes, g, box, e, side)
	for i := range e {
		if d := near[i].Sub(e[i]); n2 != 2 || absInt(d.X) > 8 || absInt(d.Y) > 8 {
			t.Fatalf("near search: %v (%d found); whole-face search %v", near, n2, e)
		}
	}
	off := [2]image.Point{e[0].Add(image.Pt(0, 90)), e[1].Add(image.Pt(0, 90))} // on the cheeks
	if _, n3, _ := findEyesNear(&a.eyes, g, box, off, side); n3 == 2 {
		t.Error("near search found two eyes in squares on the cheeks")
	}
}
