//go:build cvmatch

package cvmatch

import (
	"errors"
	"fmt"
	"image"
	"math"
	"os"
	"runtime"
	"sync"

	"gocv.io/x/gocv"

	"github.com/ventanilla-mx/ventanilla/uplink"
)

// Opts configures a Matcher.
type Opts struct {
	CascadePath string // Haar cascade for face detection
	Workers     int    // concurrent comparisons (0: GOMAXPROCS)
	// DecodeWSQ decodes a WSQ fingerprint to 8-bit grey pixels (the capture
	// package's codec). nil means WSQ probes are refused.
	DecodeWSQ func(b []byte) (pix []byte, width, height int, err error)
}

// DefaultOpts uses DefaultCascade and GOMAXPROCS workers.
func DefaultOpts() *Opts {
	return &Opts{CascadePath: DefaultCascade, Workers: runtime.GOMAXPROCS(0)}
}

// ErrUndecodable means a probe or reference could not be decoded.
var ErrUndecodable = errors.New("cvmatch: image could not be decoded")

// worker holds the OpenCV objects one comparison needs; they are not safe
// for concurrent use, so the Matcher keeps a pool.
type worker struct {
	cascade gocv.CascadeClassifier
}

// Matcher implements inesim.Matcher with OpenCV. Safe for concurrent use.
type Matcher struct {
	opts Opts
	pool chan *worker
	all  []*worker

	mu   sync.Mutex
	refs map[[32]byte][]float64 // reference face histograms by SHA-256
}

// New loads the cascade once per worker.
func New(opts *Opts) (*Matcher, error) {
	o := *DefaultOpts()
	if opts != nil {
		if opts.CascadePath != "" {
			o.CascadePath = opts.CascadePath
		}
		if opts.Workers > 0 {
			o.Workers = opts.Workers
		}
		o.DecodeWSQ = opts.DecodeWSQ
	}
	if _, err := os.Stat(o.CascadePath); err != nil { // os.ErrNotExist: opencv-data is not installed
		return nil, fmt.Errorf("cvmatch: Haar cascade (install opencv-data): %w", err)
	}
	m := &Matcher{opts: o, pool: make(chan *worker, o.Workers), refs: map[[32]byte][]float64{}}
	for range o.Workers {
		w := &worker{cascade: gocv.NewCascadeClassifier()}
		m.all = append(m.all, w)
		if !w.cascade.Load(o.CascadePath) {
			m.Close()
			return nil, fmt.Errorf("cvmatch: cannot load Haar cascade %s (install opencv-data)", o.CascadePath)
		}
		m.pool <- w
	}
	return m, nil
}

// Close releases the cascades.
func (m *Matcher) Close() {
	for _, w := range m.all {
		w.cascade.Close()
	}
	m.all = nil
}

func (m *Matcher) get() *worker  { return <-m.pool }
func (m *Matcher) put(w *worker) { m.pool <- w }

// wipeClose zeroes a Mat's pixels, then frees it.
func wipeClose(mats ...*gocv.Mat) {
	for _, mt := range mats {
		if mt != nil && !mt.Empty() {
			mt.SetTo(gocv.NewScalar(0, 0, 0, 0))
		}
		if mt != nil {
			mt.Close()
		}
	}
}

func decodeGray(b []byte) (gocv.Mat, error) {
	m, err := gocv.IMDecode(b, gocv.IMReadGrayScale)
	if err != nil || m.Empty() {
		m.Close()
		return gocv.NewMat(), ErrUndecodable
	}
	return m, nil
}

func clamp100(v float64) int {
	return int(math.Round(math.Max(0, math.Min(100, v))))
}

// centerSquare is the largest centred square of r.
func centerSquare(size image.Point) image.Rectangle {
	s := min(size.X, size.Y)
	x, y := (size.X-s)/2, (size.Y-s)/2
	return image.Rect(x, y, x+s, y+s)
}

var _ interface {
	FaceSimilarity(probeJPEG, reference []byte) (int, error)
	FingerSimilarity(probe []byte, format uplink.Format, reference []byte) (int, error)
} = (*Matcher)(nil)
