package daemon

import (
	"fmt"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/ventanilla-mx/ventanilla/capture/camhub"
	"github.com/ventanilla-mx/ventanilla/capture/face"
	"github.com/ventanilla-mx/ventanilla/capture/facecap"
	"github.com/ventanilla-mx/ventanilla/daemon/config"
	"github.com/ventanilla-mx/ventanilla/health"
	"github.com/ventanilla-mx/ventanilla/liveness"
)

// faceOpts maps the config to the face and liveness options.
func faceOpts(c *config.Config) (*face.Opts, *liveness.Opts) {
	fo := face.DefaultOpts()
	fo.CascadeDir, fo.DNNModel, fo.DNNConfig = c.Face.CascadeDir, c.Face.DNNModel, c.Face.DNNConfig
	fo.DetectEvery = c.Face.DetectEvery
	fo.Quality.MinEyeDistance = c.Face.MinEyeDistance
	fo.Geometry = face.TokenFrontal(c.Face.CropWidth)
	lo := liveness.DefaultOpts()
	lo.Challenges = nil
	for _, name := range c.Liveness.Challenges {
		ch, err := liveness.ParseChallenge(name)
		if err != nil { // the config is validated; this is a programming error
			panic(fmt.Sprintf("liveness: %v", err))
		}
		lo.Challenges = append(lo.Challenges, ch)
	}
	lo.Steps, lo.StepTimeout = c.Liveness.Steps, c.Liveness.StepTimeout.D()
	lo.CascadeDir = c.Face.CascadeDir
	return fo, lo
}

// wireFace sets the session's face port and preview (capture/facecap and
// capture/camhub) when the detection and liveness models load.
func wireFace(s *System, hub *camhub.Hub, h *cameraHealth) {
	fo, lo := faceOpts(s.Config)
	passive := s.Config.PassiveLiveness()
	if passive {
		h.passive.Set("liveness.challenges = []")
	}
	if err := facecap.LoadModels(fo, lo); err != nil {
		h.models.Set(err.Error())
		return
	}
	if s.secmem == nil {
		return // realPorts reports the missing locked memory
	}
	m := newFaceMetrics(h.models)
	s.Metrics.MustRegister(m.decisions, m.frame)
	alloc := secmemAlloc{s.secmem}
	s.faceCapture = facecap.New(hub, facecap.Options{Face: fo, Liveness: lo, Passive: passive, Alloc: alloc, Hooks: m})
	s.preview = &camhub.Previewer{Hub: hub, Alloc: alloc}
}

// faceMetrics: decisions by verdict and reason (closed vocabularies, no
// identity), and the per-frame pipeline time.
// They are the face capture's hooks, and turn a model failure into
// face.models_missing.
type faceMetrics struct {
	decisions *prometheus.CounterVec
	frame     prometheus.Histogram
	models    *health.Tracker
}

var _ facecap.Hooks = (*faceMetrics)(nil)

func newFaceMetrics(models *health.Tracker) *faceMetrics {
	return &faceMetrics{models: models,
		decisions: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "ventanilla_liveness_decisions_total",
			Help: "Liveness decisions by verdict (live, spoof, uncertain) and reason (the cue or rule; none when live)."},
			[]string{"verdict", "reason"}),
		frame: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "ventanilla_face_frame_seconds",
			Help:    "Time to analyse one camera frame (face detection or tracking, quality gate, liveness cues).",
			Buckets: prometheus.ExponentialBuckets(0.005, 2, 10)}),
	}
}

func (m *faceMetrics) Decided(d *liveness.Decision) {
	reason := d.Reason
	if reason == "" {
		reason = "none"
	}
	m.decisions.WithLabelValues(strings.ToLower(string(d.Verdict)), reason).Inc()
}

func (m *faceMetrics) Frame(d time.Duration) { m.frame.Observe(d.Seconds()) }

func (m *faceMetrics) ModelsFailed(err error) { m.models.Set(err.Error()) }
