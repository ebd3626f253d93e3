package face

import "path/filepath"

// DefaultCascadeDir is where Debian's opencv-data installs the Haar cascades.
const DefaultCascadeDir = "/usr/share/opencv4/haarcascades"

// Opts configure an Analyzer. Zero fields take the DefaultOpts value.
type Opts struct {
	// CascadeDir holds the Haar cascades; FaceCascade and EyeCascade are
	// file names in it (or absolute paths).
	CascadeDir  string
	FaceCascade string
	EyeCascade  string
	// DNNModel and DNNConfig, when DNNModel is set, replace the face cascade
	// with an OpenCV DNN SSD face detector (e.g. the res10 300x300 Caffe
	// model and its prototxt) that reports boxes above DNNConfidence.
	DNNModel, DNNConfig string
	DNNConfidence       float64
	// WorkWidth is the width of the grey image detection and tracking run on.
	WorkWidth int
	// DetectEvery runs the detector every N frames and tracks in between;
	// 1 detects on every frame.
	DetectEvery int
	// MinFaceFrac is the smallest face searched, as a fraction of the frame
	// height.
	MinFaceFrac float64
	// EyesEvery runs the eye cascade, the most expensive step of a tracked
	// frame, every N frames while the face is tracked; in between, the
	// eyes found last follow the tracked box.
	// 1 searches every frame (Analyzer.SetEyesEvery changes it for a while,
	// e.g. while a blink is judged).
	EyesEvery int
	Quality   QualityOpts
	Geometry  Geometry
	// Legacy selects the schedule before 2026-12-06: detection on every
	// DetectEvery-th frame counted from Reset and the eye search on every
	// EyesEvery-th, even when they fall on one frame, and Plan.Yield and
	// Plan.DetectEvery ignored. Kept as the benchmarks' baseline
	// (liveness BenchmarkFaceCPU); never set it in production.
	Legacy bool
	// WholeFrameDetect makes every periodic re-detection search the whole
	// frame instead of two in three searching near the track (the schedule
	// of 2026-12-06 before the near search). Kept as a benchmark arm
	// (liveness BenchmarkFaceCPU); never set it in production.
	WholeFrameDetect bool
}

// QualityOpts are the quality gate thresholds.
type QualityOpts struct {
	MinEyeDistance float64 // pixels in the camera frame (ISO/IEC 19794-5 asks >= 90 for full frontal)
	MaxFaceWidth   float64 // face box width as a fraction of the frame width (too close)
	MaxOffCentre   float64 // face centre offset, as a fraction of the frame size
	MaxYaw         float64 // degrees
	MaxPitch       float64 // degrees
	MaxRoll        float64 // degrees
	MinSharpness   float64 // variance of the Laplacian of the 128x128 face
	MinBrightness  float64 // mean grey level of the face, 0-255
	MaxBrightness  float64
	MaxClipped     float64 // fraction of face pixels at 0-5 or 250-255
	MinContrast    float64 // standard deviation of the face's grey levels
}

// DefaultOpts returns the defaults the daemon uses unless configured.
func DefaultOpts() *Opts {
	return &Opts{
		CascadeDir:    DefaultCascadeDir,
		FaceCascade:   "haarcascade_frontalface_alt2.xml",
		EyeCascade:    "haarcascade_eye_tree_eyeglasses.xml",
		DNNConfidence: 0.6,
		WorkWidth:     320,
		DetectEvery:   5,
		MinFaceFrac:   0.15,
		EyesEvery:     3,
		Quality: QualityOpts{
			MinEyeDistance: 90, MaxFaceWidth: 0.7, MaxOffCentre: 0.15,
			MaxYaw: 15, MaxPitch: 15, MaxRoll: 12,
			MinSharpness: 60, MinBrightness: 70, MaxBrightness: 200, MaxClipped: 0.08, MinContrast: 25,
		},
		Geometry: TokenFrontal(480),
	}
}

func (o *Opts) withDefaults() Opts {
	d := DefaultOpts()
	if o == nil {
		return *d
	}
	r := *o
	str := func(p *string, v string) {
		if *p == "" {
			*p = v
		}
	}
	str(&r.CascadeDir, d.CascadeDir)
	str(&r.FaceCascade, d.FaceCascade)
	str(&r.EyeCascade, d.EyeCascade)
	if r.DNNConfidence <= 0 {
		r.DNNConfidence = d.DNNConfidence
	}
	if r.WorkWidth <= 0 {
		r.WorkWidth = d.WorkWidth
	}
	if r.DetectEvery <= 0 {
		r.DetectEvery = d.DetectEvery
	}
	if r.MinFaceFrac <= 0 {
		r.MinFaceFrac = d.MinFaceFrac
	}
	if r.EyesEvery <= 0 {
		r.EyesEvery = d.EyesEvery
	}
	if r.Quality == (QualityOpts{}) {
		r.Quality = d.Quality
	}
	if r.Geometry.Width == 0 {
		r.Geometry = d.Geometry
	}
	return r
}

func (o *Opts) cascadePath(name string) string {
	if filepath.IsAbs(name) {
		return name
	}
	return filepath.Join(o.CascadeDir, name)
}
