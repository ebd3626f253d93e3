package face

import (
	"fmt"
	"image"
	"time"

	"gocv.io/x/gocv"
)

// Observation is what the Analyzer saw in one frame. Coordinates are in the
// camera frame. It holds no pixels.
type Observation struct {
	Time     time.Time
	Frame    image.Point     // frame size
	Found    bool            // a face is detected or tracked
	Detected bool            // the detector ran on this frame
	Faces    int             // faces in the last detection
	Box      image.Rectangle // the tracked face
	Eyes     [2]image.Point  // eye centres, image left then right, valid when Quality.EyesFound == 2
	// EyesSearched: the eye cascade ran on this frame; otherwise Eyes and
	// Quality.EyesFound are the last search's, moved with the tracked box
	// (Opts.EyesEvery).
	EyesSearched bool
	Points       []Point // tracked points now
	Prev         map[uint32][2]float32
	FrameDiff    float64 // mean absolute grey difference to the previous frame, 0-255
	Quality      Quality
}

// PrevOf returns where point p was in the previous frame.
func (o *Observation) PrevOf(p Point) (x, y float32, ok bool) {
	v, ok := o.Prev[p.ID]
	return v[0], v[1], ok
}

// Analyzer is the per-frame face pipeline. It is not safe for concurrent use.
type Analyzer struct {
	o    Opts
	det  Detector
	eyes gocv.CascadeClassifier

	gray, work, prev, eq, diff gocv.Mat
	scale                      float64 // frame pixels per work pixel
	tr                         tracker
	box                        fbox // work coordinates
	tracking                   bool
	faces, frame               int
	best                       bestShot
	eyeMemo                    eyeMemo
	eyesEvery                  int
	plan                       Plan
	sinceDetect                int  // frames since the detector last ran
	eyesDue                    bool // an eye search was put off a busy frame
	nearDetects                int  // re-detections near the track since the last whole-frame one
	fullFaces                  int  // faces in the last whole-frame detection
}

// Plan is what the caller asks of the next frames (Analyzer.SetPlan); the
// liveness check makes it (liveness.Check.Plan) so that no frame carries
// two of the costly jobs: detection, the eye search, the static cues and
// the face mesh.
type Plan struct {
	// EyesEvery runs the eye search every n frames (as SetEyesEvery; 0:
	// Opts.EyesEvery).
	EyesEvery int
	// DetectEvery re-runs the detector on a tracked face every n frames
	// (0: Opts.DetectEvery); a landmark model that keeps finding the face
	// in the tracked box asks for fewer detections.
	DetectEvery int
	// Yield keeps the frame for the caller's own work: no periodic
	// detection and no eye search on it (they move to the next frame). A
	// face that is lost is still searched.
	Yield bool
}

// eyeMemo is the last eye search, for the frames in between searches.
type eyeMemo struct {
	eyes [2]image.Point
	n    int
	box  image.Rectangle // the face box it was made in
	side [2]float64      // each eye's side in the search's pixels
	ok   bool
}

// follow moves the remembered eyes with the face box.
func (m eyeMemo) follow(box image.Rectangle) ([2]image.Point, int) {
	d := box.Min.Add(box.Max).Div(2).Sub(m.box.Min.Add(m.box.Max).Div(2))
	return [2]image.Point{m.eyes[0].Add(d), m.eyes[1].Add(d)}, m.n
}

// New loads the detector and the eye cascade.
func New(o *Opts) (*Analyzer, error) {
	opts := o.withDefaults()
	var det Detector
	var err error
	if opts.DNNModel != "" {
		det, err = NewDNNDetector(opts.DNNModel, opts.DNNConfig, opts.DNNConfidence)
	} else {
		det, err = NewCascadeDetector(opts.cascadePath(opts.FaceCascade))
	}
	if err != nil {
		return nil, err
	}
	eyes, err := loadCascade(opts.cascadePath(opts.EyeCascade))
	if err != nil {
		det.Close()
		return nil, err
	}
	return &Analyzer{o: opts, det: det, eyes: eyes, eyesEvery: opts.EyesEvery,
		gray: gocv.NewMat(), work: gocv.NewMat(), prev: gocv.NewMat(), eq: gocv.NewMat(), diff: gocv.NewMat()}, nil
}

// Process analyses one BGR frame. The frame stays owned by the caller.
func (a *Analyzer) Process(frame gocv.Mat, t time.Time) Observation {
	obs := Observation{Time: t, Frame: image.Pt(frame.Cols(), frame.Rows())}
	if frame.Empty() || frame.Type() != gocv.MatTypeCV8UC3 {
		obs.Quality.Code = NoFace
		return obs
	}
	a.toWork(frame)
	obs.FrameDiff = a.frameDiff()
	before := a.track()
	a.sinceDetect++
	if a.needDetect() {
		a.detect()
		obs.Detected, a.sinceDetect = true, 0
	}
	a.frame++
	a.prev, a.work = a.work, a.prev
	a.fill(&obs, before)
	if obs.Found {
		a.assess(frame, &obs)
	} else {
		obs.Quality.Code, obs.Quality.Failed = NoFace, []Code{NoFace}
		a.eyeMemo.ok = false
	}
	return obs
}

// toWork makes the full-resolution grey frame and the work-size grey image.
func (a *Analyzer) toWork(frame gocv.Mat) {
	gocv.CvtColor(frame, &a.gray, gocv.ColorBGRToGray)
	w := min(a.o.WorkWidth, frame.Cols())
	a.scale = float64(frame.Cols()) / float64(w)
	h := int(float64(frame.Rows()) / a.scale)
	gocv.Resize(a.gray, &a.work, image.Pt(w, h), 0, 0, gocv.InterpolationArea)
}

func (a *Analyzer) frameDiff() float64 {
	if a.prev.Empty() || a.prev.Cols() != a.work.Cols() || a.prev.Rows() != a.work.Rows() {
		a.prev.Close()
		a.prev = gocv.NewMat()
		a.tr.pts, a.tracking = nil, false
		return -1
	}
	gocv.AbsDiff(a.work, a.prev, &a.diff)
	return a.diff.Mean().Val1
}

// track moves the points and the face box from the previous frame.
func (a *Analyzer) track() map[uint32][2]float32 {
	if a.prev.Empty() {
		return nil
	}
	before := a.tr.step(a.prev, a.work)
	if a.tracking {
		box, ok := a.tr.moveBox(a.box, before)
		a.box, a.tracking = box, ok && box.rect(1).Overlaps(bounds(a.work))
	}
	return before
}

// needDetect: the face is not tracked (or by too few points), or a
// periodic re-detection is due. The periodic one waits for a frame the
// plan does not keep for the caller.
func (a *Analyzer) needDetect() bool {
	if !a.tracking || a.tr.count(RegionFace) < 8 {
		return true
	}
	if a.o.Legacy {
		return a.frame%a.o.DetectEvery == 0
	}
	every := a.o.DetectEvery
	if a.plan.DetectEvery > 0 {
		every = a.plan.DetectEvery
	}
	return a.sinceDetect >= every && !a.plan.Yield
}

// detect runs the detector and re-anchors the track on its result.
func (a *Analyzer) detect() {
	boxes := a.detectNear()
	if boxes == nil {
		boxes = a.detectIn(bounds(a.work), int(a.o.MinFaceFrac*float64(a.work.Rows())))
		a.faces, a.fullFaces, a.nearDetects = len(boxes), len(boxes), 0
	}
	if len(boxes) == 0 {
		a.tracking = false
		a.tr.pts = nil
		return
	}
	pick := boxes[0]
	for _, b := range boxes { // keep following the same face when several are seen
		if a.tracking && iou(b, a.box.rect(1)) > 0.3 {
			pick = b
			break
		}
	}
	reseed := !a.tracking || iou(pick, a.box.rect(1)) < 0.5 || a.tr.count(RegionFace) < maxFacePoints/2
	nb := toF(pick)
	if !reseed { // same face: smooth the detector's jitter
		nb = fbox{(nb.cx + a.box.cx) / 2, (nb.cy + a.box.cy) / 2, (nb.w + a.box.w) / 2, (nb.h + a.box.h) / 2}
	}
	a.box, a.tracking = nb, true
	if reseed {
		a.tr.seedFace(a.work, pick)
	}
	if reseed || a.tr.count(RegionSurround) < maxSurroundPoints/3 {
		a.tr.seedSurround(a.work, pick)
	}
}

// Re-detection near the track: the tracked box grown nearGrow times, for
// faces at least nearMinSize of its width; every fullEvery-th periodic
// detection searches the whole frame (other faces, a lost track).
const (
	nearGrow    = 1.8
	nearMinSize = 0.6
	fullEvery   = 3
)

// detectNear re-detects a tracked face in the region around it, which
// costs a fraction of the whole frame; nil when a whole-frame detection
// is due instead (no track, Opts.Legacy or WholeFrameDetect, every
// fullEvery-th time). The
// face count stays the last whole-frame one unless more are seen here.
func (a *Analyzer) detectNear() []image.Rectangle {
	if a.o.Legacy || a.o.WholeFrameDetect || !a.tracking || a.nearDetects+1 >= fullEvery || a.tr.count(RegionFace) < 8 {
		return nil
	}
	a.nearDetects++
	box := a.box.rect(1)
	roi := grow(box, nearGrow).Intersect(bounds(a.work))
	if roi.Dx() < box.Dx() || roi.Dy() < box.Dy() {
		return nil
	}
	boxes := a.detectIn(roi, int(nearMinSize*float64(box.Dx())))
	a.faces = max(len(boxes), a.fullFaces)
	if len(boxes) == 0 { // not where it was: search the whole frame
		return nil
	}
	return boxes
}

// detectIn runs the detector on roi of the work image, for faces at least
// minSize wide, and returns boxes in work coordinates. The whole image is
// equalised and roi cut from it, so a search near the track sees the very
// pixels a whole-frame search sees: equalising the crop alone stretches
// its own histogram (mostly face) and the cascade then finds the face a
// few per cent larger, which the box smoothing turns into a box whose size
// and surround seeding swing with each kind of detection.
func (a *Analyzer) detectIn(roi image.Rectangle, minSize int) []image.Rectangle {
	gocv.EqualizeHist(a.work, &a.eq)
	if roi == bounds(a.work) {
		return a.det.Detect(a.eq, minSize)
	}
	sub := a.eq.Region(roi)
	defer sub.Close()
	boxes := a.det.Detect(sub, minSize)
	for i := range boxes {
		boxes[i] = boxes[i].Add(roi.Min)
	}
	return boxes
}

// fill converts the tracker state to frame coordinates.
func (a *Analyzer) fill(obs *Observation, before map[uint32][2]float32) {
	obs.Faces = a.faces
	obs.Found = a.tracking
	s := float32(a.scale)
	obs.Points = make([]Point, len(a.tr.pts))
	for i, p := range a.tr.pts {
		obs.Points[i] = Point{ID: p.ID, X: p.X * s, Y: p.Y * s, Region: p.Region}
	}
	obs.Prev = make(map[uint32][2]float32, len(before))
	for id, v := range before {
		obs.Prev[id] = [2]float32{v[0] * s, v[1] * s}
	}
	if a.tracking {
		obs.Box = a.box.rect(a.scale)
	}
}

// assess runs the quality gate and offers the frame to the best-shot selector.
func (a *Analyzer) assess(frame gocv.Mat, obs *Observation) {
	q := &obs.Quality
	q.Faces = obs.Faces
	a.findEyes(obs)
	q.EyeDistance = BoxEyeRatio * float64(obs.Box.Dx())
	if q.EyesFound == 2 {
		d := obs.Eyes[1].Sub(obs.Eyes[0])
		q.EyeDistance = hypot(d)
		q.Yaw, q.Pitch, q.Roll = estimatePose(obs.Box, obs.Eyes)
	}
	q.OffCentre = offCentre(obs.Box, obs.Frame)
	faceStats(a.gray, obs.Box, q)
	gate(q, obs.Box, obs.Frame, a.o.Quality)
	if q.Code == OK && obs.EyesSearched { // the crop is aligned on measured eyes only
		a.best.offer(frame, obs, a.o.Geometry)
	}
}

// findEyes searches the eyes every EyesEvery frames (and when none are
// remembered); in between, the last search's eyes follow the face box.
// When the last search found both, the next looks only near them and at
// their size (findEyesNear); after a miss it searches the upper face.
// Detection frames are not forced to search, so the two costliest steps
// rarely fall on the same frame.
func (a *Analyzer) findEyes(obs *Observation) {
	q := &obs.Quality
	if a.eyeMemo.ok && !a.searchEyes(obs) {
		obs.Eyes, q.EyesFound = a.eyeMemo.follow(obs.Box)
		return
	}
	a.eyesDue = false
	var side [2]float64
	if m := a.eyeMemo; !a.o.Legacy && m.ok && m.n == 2 {
		prev, _ := m.follow(obs.Box)
		obs.Eyes, q.EyesFound, side = findEyesNear(&a.eyes, a.gray, obs.Box, prev, m.side)
	} else {
		obs.Eyes, q.EyesFound, side = findEyes(&a.eyes, a.gray, obs.Box)
	}
	obs.EyesSearched = true
	a.eyeMemo = eyeMemo{eyes: obs.Eyes, n: q.EyesFound, box: obs.Box, side: side, ok: true}
}

// searchEyes: an eye search is due on this frame (remembered eyes exist).
// A search due on a frame that detected or that the plan keeps for the
// caller waits for the next free one, unless every frame is searched.
func (a *Analyzer) searchEyes(obs *Observation) bool {
	due := a.frame%a.eyesEvery == 0
	if a.o.Legacy {
		return due
	}
	due = due || a.eyesDue
	if due && a.eyesEvery > 1 && (obs.Detected || a.plan.Yield) {
		a.eyesDue = true
		return false
	}
	return due
}

// SetPlan sets the plan for the next frames (until the next SetPlan or
// Reset). With Opts.Legacy only EyesEvery is used.
func (a *Analyzer) SetPlan(p Plan) {
	a.SetEyesEvery(p.EyesEvery)
	a.plan = p
}

// SetEyesEvery runs the eye cascade every n frames from the next frame on;
// n < 1 restores Opts.EyesEvery. A blink needs every frame; the quality
// gate and the eye-based yaw do with fewer.
func (a *Analyzer) SetEyesEvery(n int) {
	if n < 1 {
		n = a.o.EyesEvery
	}
	a.eyesEvery = n
}

// Reset forgets the track and wipes the best shot, for a new session.
func (a *Analyzer) Reset() {
	a.tr.pts, a.tracking, a.faces, a.frame = nil, false, 0, 0
	a.eyeMemo, a.eyesEvery = eyeMemo{}, a.o.EyesEvery
	a.plan, a.sinceDetect, a.eyesDue = Plan{}, 0, false
	a.nearDetects, a.fullFaces = 0, 0
	for _, m := range []*gocv.Mat{&a.gray, &a.work, &a.prev, &a.eq, &a.diff} {
		wipe(m)
	}
	a.prev.Close()
	a.prev = gocv.NewMat()
	a.best.reset()
}

// Close wipes and releases everything. The Analyzer cannot be used after.
func (a *Analyzer) Close() error {
	a.best.reset()
	for _, m := range []*gocv.Mat{&a.gray, &a.work, &a.prev, &a.eq, &a.diff} {
		wipe(m)
		m.Close()
	}
	a.eyes.Close()
	if err := a.det.Close(); err != nil {
		return fmt.Errorf("face: close detector: %w", err)
	}
	return nil
}

func wipe(m *gocv.Mat) {
	if !m.Empty() {
		m.SetTo(gocv.NewScalar(0, 0, 0, 0))
	}
}
