package landmark

import (
	"errors"
	"fmt"
	"image"
	"os"
	"path/filepath"

	"github.com/ventanilla-mx/ventanilla/liveness/internal/tfjs"
	"gocv.io/x/gocv"
)

// NumPoints is the number of face mesh landmarks.
const NumPoints = 468

// inputSize is the face mesh's square input, in pixels.
const inputSize = 192

// ModelFile is the face mesh's model.json inside Opts.ModelDir; its weights
// (facemesh.bin) sit next to it.
const ModelFile = "facemesh.json"

// Opts configure a Mesh. Zero fields take the DefaultOpts value.
type Opts struct {
	// ModelDir holds facemesh.json and facemesh.bin (scripts/deps.sh puts
	// them in .cache/models/mediapipe).
	ModelDir string
	// Margin is the side of the square crop given to the model, as a multiple
	// of the larger side of the face box: the mesh needs the whole head,
	// and a frontal face detector's box stops at the brows and the chin.
	Margin float64
	// RefineEyes also runs MediaPipe's iris model on each eye (iris.json in
	// ModelDir), whose eyelid contour follows a blink more closely than
	// the mesh; it costs about two more mesh inferences per frame, so turn
	// it on for the frames that judge a blink.
	RefineEyes bool
}

// DefaultOpts returns the defaults.
func DefaultOpts() Opts {
	return Opts{ModelDir: filepath.Join(".cache", "models", "mediapipe"), Margin: 1.5}
}

// Point is a landmark in frame pixels. Z is depth in the same scale as X,
// relative to the face's centre; smaller is nearer the camera.
type Point struct{ X, Y, Z float32 }

// Landmarks is one frame's face mesh.
type Landmarks struct {
	Points [NumPoints]Point
	// Confidence is the model's probability (0-1) that the crop holds a
	// face; below about 0.5 the points are meaningless.
	Confidence float32
	// Crop is the square of the frame the model saw (it may reach outside
	// the frame; the outside is read as the nearest edge pixel).
	Crop image.Rectangle
	// Eyes are the person's left and right eye from the iris model, set
	// (and EyesRefined true) when Opts.RefineEyes is on.
	Eyes        [2]Eye
	EyesRefined bool
}

// Mesh runs the face mesh. It is not safe for concurrent use.
type Mesh struct {
	o       Opts
	g       *tfjs.Graph
	iris    *tfjs.Graph // nil unless o.RefineEyes
	warp    gocv.Mat    // 2x3 affine, frame -> model input
	crop    gocv.Mat    // inputSize x inputSize BGR
	eyeCrop gocv.Mat    // irisInput x irisInput BGR
	noIris  bool        // SetRefineEyes(false): the iris model is loaded but not run
	closed  bool
}

// New loads the model from o.ModelDir.
func New(o Opts) (*Mesh, error) {
	d := DefaultOpts()
	if o.ModelDir == "" {
		o.ModelDir = d.ModelDir
	}
	if o.Margin == 0 {
		o.Margin = d.Margin
	}
	if o.Margin < 1 || o.Margin > 4 {
		return nil, fmt.Errorf("landmark: margin %.2f outside 1-4", o.Margin)
	}
	g, err := loadGraph(o.ModelDir, ModelFile)
	if err != nil {
		return nil, err
	}
	if s := g.InputShape(); s[1] != inputSize || s[2] != inputSize || s[3] != 3 {
		return nil, fmt.Errorf("landmark: model input %v, want [1 %d %d 3]", s, inputSize, inputSize)
	}
	for _, out := range []string{"output_mesh", "output_faceflag"} {
		if _, ok := g.Output(out); !ok {
			return nil, fmt.Errorf("landmark: model has no %s output", out)
		}
	}
	m := &Mesh{o: o, g: g}
	if o.RefineEyes {
		if m.iris, err = loadIris(o.ModelDir); err != nil {
			return nil, err
		}
	}
	m.warp, m.crop, m.eyeCrop = gocv.NewMatWithSize(2, 3, gocv.MatTypeCV64F), gocv.NewMat(), gocv.NewMat()
	return m, nil
}

func loadIris(dir string) (*tfjs.Graph, error) {
	g, err := loadGraph(dir, IrisFile)
	if err != nil {
		return nil, err
	}
	if s := g.InputShape(); s[1] != irisInput || s[2] != irisInput || s[3] != 3 {
		return nil, fmt.Errorf("landmark: iris model input %v, want [1 %d %d 3]", s, irisInput, irisInput)
	}
	if out, ok := g.Output("Identity"); !ok || len(out) != 3*irisOutputs {
		return nil, fmt.Errorf("landmark: iris model output, want %d values", 3*irisOutputs)
	}
	return g, nil
}

func loadGraph(dir, file string) (*tfjs.Graph, error) {
	js, err := os.ReadFile(filepath.Join(dir, file))
	if err != nil {
		return nil, fmt.Errorf("landmark: model (run scripts/deps.sh): %w", err)
	}
	g, err := tfjs.Load(js, func(p string) ([]byte, error) {
		if p != filepath.Base(p) {
			return nil, fmt.Errorf("weights path %q leaves the model directory", p)
		}
		return os.ReadFile(filepath.Join(dir, p))
	})
	if err != nil {
		return nil, fmt.Errorf("landmark: %w", err)
	}
	return g, nil
}

// ErrBadInput means the frame is not an 8-bit BGR image or the box is empty.
var ErrBadInput = errors.New("landmark: want a non-empty 8-bit BGR frame and face box")

// Detect fits the mesh to the face in box (frame pixels, e.g. a face
// detector's or the previous frame's [Landmarks.Box]) of a BGR frame, which
// stays owned by the caller. It returns the points in frame pixels.
func (m *Mesh) Detect(frame gocv.Mat, box image.Rectangle) (Landmarks, error) {
	var l Landmarks
	if m.closed {
		return l, errors.New("landmark: Detect after Close")
	}
	if frame.Empty() || frame.Type() != gocv.MatTypeCV8UC3 || box.Dx() < 8 || box.Dy() < 8 {
		return l, ErrBadInput
	}
	l.Crop = squareAround(box, m.o.Margin)
	m.cropTo(frame, l.Crop)
	if err := toRGB(m.crop, m.g.Input()); err != nil {
		return l, err
	}
	m.g.Run()
	mesh, _ := m.g.Output("output_mesh")
	flag, _ := m.g.Output("output_faceflag")
	l.Confidence = flag[0]
	scale := float32(l.Crop.Dx()) / inputSize
	ox, oy := float32(l.Crop.Min.X), float32(l.Crop.Min.Y)
	for i := range l.Points {
		p := mesh[3*i : 3*i+3]
		l.Points[i] = Point{X: ox + p[0]*scale, Y: oy + p[1]*scale, Z: p[2] * scale}
	}
	if m.iris != nil && !m.noIris && l.Confidence >= 0.5 {
		if err := m.refineEyes(frame, &l); err != nil {
			return l, err
		}
	}
	return l, nil
}

// SetRefineEyes turns the iris model on or off for the next Detect calls
// of a Mesh made with Opts.RefineEyes (it does nothing on one made
// without): a caller runs it on the frames that judge a blink only, since
// it costs about two mesh inferences.
func (m *Mesh) SetRefineEyes(on bool) { m.noIris = !on }

// RefinesEyes reports whether Detect runs the iris model.
func (m *Mesh) RefinesEyes() bool { return m.iris != nil && !m.noIris }

// Close zeroes the work buffers and releases them. The Mesh cannot be used
// after.
func (m *Mesh) Close() error {
	if m.closed {
		return nil
	}
	m.closed = true
	clear(m.g.Input())
	if m.iris != nil {
		clear(m.iris.Input())
	}
	for _, c := range []*gocv.Mat{&m.crop, &m.eyeCrop} {
		if !c.Empty() {
			c.SetTo(gocv.NewScalar(0, 0, 0, 0))
		}
		c.Close()
	}
	m.warp.Close()
	return nil
}
