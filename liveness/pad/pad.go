package pad

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"math"
	"os"
	"path/filepath"

	"github.com/ventanilla-mx/ventanilla/liveness/internal/tfjs"
	"gocv.io/x/gocv"
)

// Model files inside Opts.ModelDir (weights beside them).
const (
	AntispoofFile = "antispoof.json"
	LivenessFile  = "liveness.json"
)

const (
	antispoofSize = 128
	livenessSize  = 32
	// cropSize is the face mesh's input side: the face is first resampled
	// to it, as Human does before handing the same tensor to both models.
	cropSize = 192
)

// Opts configure a Scorer. Zero fields take the DefaultOpts value.
type Opts struct {
	// ModelDir holds the model files (scripts/deps.sh: .cache/models/pad).
	ModelDir string
	// Margin is the side of the square crop as a multiple of the face box's
	// larger side (the face mesh's crop; see liveness/landmark).
	Margin float64
}

// DefaultOpts returns the defaults.
func DefaultOpts() Opts {
	return Opts{ModelDir: filepath.Join(".cache", "models", "pad"), Margin: 1.5}
}

// Score is one face's scores, each in [0, 1].
type Score struct {
	// Real is antispoof's sigmoid output.
	Real float64
	// Live is liveness's class-0 probability.
	Live float64
}

// Scorer runs both models. It is not safe for concurrent use.
type Scorer struct {
	o          Opts
	anti, live *tfjs.Graph
	warp       gocv.Mat // 2x3 affine, frame -> crop
	crop       gocv.Mat // cropSize x cropSize BGR
	small      gocv.Mat // model input size BGR
	closed     bool
}

// New loads both models from o.ModelDir. A missing file is reported with an
// error wrapping fs.ErrNotExist.
func New(o Opts) (*Scorer, error) {
	d := DefaultOpts()
	if o.ModelDir == "" {
		o.ModelDir = d.ModelDir
	}
	if o.Margin == 0 {
		o.Margin = d.Margin
	}
	if o.Margin < 1 || o.Margin > 4 {
		return nil, fmt.Errorf("pad: margin %.2f outside 1-4", o.Margin)
	}
	anti, err := loadGraph(o.ModelDir, AntispoofFile, antispoofSize, 1)
	if err != nil {
		return nil, err
	}
	live, err := loadGraph(o.ModelDir, LivenessFile, livenessSize, 2)
	if err != nil {
		return nil, err
	}
	return &Scorer{o: o, anti: anti, live: live, warp: gocv.NewMatWithSize(2, 3, gocv.MatTypeCV64F),
		crop: gocv.NewMat(), small: gocv.NewMat()}, nil
}

func loadGraph(dir, file string, size, outputs int) (*tfjs.Graph, error) {
	js, err := os.ReadFile(filepath.Join(dir, file))
	if err != nil {
		return nil, fmt.Errorf("pad: model (run scripts/deps.sh): %w", err)
	}
	g, err := tfjs.Load(js, func(p string) ([]byte, error) {
		if p != filepath.Base(p) {
			return nil, fmt.Errorf("weights path %q leaves the model directory", p)
		}
		return os.ReadFile(filepath.Join(dir, p))
	})
	if err != nil {
		return nil, fmt.Errorf("pad: %s: %w", file, err)
	}
	if s := g.InputShape(); s[1] != size || s[2] != size || s[3] != 3 {
		return nil, fmt.Errorf("pad: %s input %v, want [1 %d %d 3]", file, s, size, size)
	}
	if out, ok := g.Output("Identity"); !ok || len(out) != outputs {
		return nil, fmt.Errorf("pad: %s: want an Identity output of %d values", file, outputs)
	}
	return g, nil
}

// ErrBadInput means the frame is not an 8-bit BGR image or the box is too
// small.
var ErrBadInput = errors.New("pad: want a non-empty 8-bit BGR frame and a face box of at least 16 pixels")

// Score runs both models on the face in box (frame pixels) of a BGR frame,
// which stays owned by the caller.
func (s *Scorer) Score(frame gocv.Mat, box image.Rectangle) (Score, error) {
	if s.closed {
		return Score{}, errors.New("pad: Score after Close")
	}
	if frame.Empty() || frame.Type() != gocv.MatTypeCV8UC3 || box.Dx() < 16 || box.Dy() < 16 {
		return Score{}, ErrBadInput
	}
	s.cropTo(frame, squareAround(box, s.o.Margin))
	real, err := s.run(s.anti, antispoofSize)
	if err != nil {
		return Score{}, err
	}
	live, err := s.run(s.live, livenessSize)
	if err != nil {
		return Score{}, err
	}
	return Score{Real: real, Live: live}, nil
}

func (s *Scorer) run(g *tfjs.Graph, size int) (float64, error) {
	gocv.Resize(s.crop, &s.small, image.Pt(size, size), 0, 0, gocv.InterpolationLinear)
	if err := toRGB(s.small, g.Input()); err != nil {
		return 0, err
	}
	g.Run()
	out, _ := g.Output("Identity")
	v := float64(out[0])
	if math.IsNaN(v) {
		return 0, errors.New("pad: model output is NaN")
	}
	return v, nil
}

// Close zeroes the work buffers and releases them.
func (s *Scorer) Close() {
	if s.closed {
		return
	}
	s.closed = true
	clear(s.anti.Input())
	clear(s.live.Input())
	for _, m := range []*gocv.Mat{&s.crop, &s.small} {
		if !m.Empty() {
			m.SetTo(gocv.NewScalar(0, 0, 0, 0))
		}
		m.Close()
	}
	s.warp.Close()
}

// squareAround is the square, margin times the box's larger side, centred on
// the box.
func squareAround(box image.Rectangle, margin float64) image.Rectangle {
	side := int(math.Round(margin * float64(max(box.Dx(), box.Dy()))))
	c := box.Min.Add(box.Max).Div(2)
	lo := c.Sub(image.Pt(side/2, side/2))
	return image.Rectangle{Min: lo, Max: lo.Add(image.Pt(side, side))}
}

// cropTo resamples the square of frame into s.crop (cropSize square) in one
// affine warp; outside the frame reads the nearest edge pixel.
func (s *Scorer) cropTo(frame gocv.Mat, sq image.Rectangle) {
	k := float64(cropSize) / float64(sq.Dx())
	for i, v := range []float64{k, 0, -k * float64(sq.Min.X), 0, k, -k * float64(sq.Min.Y)} {
		s.warp.SetDoubleAt(i/3, i%3, v)
	}
	gocv.WarpAffineWithParams(frame, &s.crop, s.warp, image.Pt(cropSize, cropSize),
		gocv.InterpolationLinear, gocv.BorderReplicate, color.RGBA{})
}

// toRGB converts a BGR image to RGB floats in [0, 1].
func toRGB(img gocv.Mat, in []float32) error {
	px, err := img.DataPtrUint8()
	if err != nil || len(px) != len(in) {
		return fmt.Errorf("pad: input buffer of %d values for %d pixels: %v", len(in), len(px), err)
	}
	for i := 0; i+3 <= len(px); i += 3 {
		in[i] = float32(px[i+2]) / 255
		in[i+1] = float32(px[i+1]) / 255
		in[i+2] = float32(px[i]) / 255
	}
	return nil
}
