package face

import (
	"errors"
	"fmt"
	"image"
	"os"
	"sort"

	"gocv.io/x/gocv"
)

// ErrModel means a detector model or cascade could not be loaded. Retry is
// pointless until the configured path is fixed or opencv-data is installed.
var ErrModel = errors.New("face: cannot load detector model; check the configured path and that opencv-data is installed")

// Detector finds faces in an 8-bit grey image.
type Detector interface {
	// Detect returns face boxes in the image's coordinates, largest first,
	// ignoring faces narrower than minSize pixels.
	Detect(gray gocv.Mat, minSize int) []image.Rectangle
	Close() error
}

// cascadeDetector is an OpenCV Haar/LBP cascade.
type cascadeDetector struct {
	c         gocv.CascadeClassifier
	neighbors int
}

// NewCascadeDetector loads a cascade XML file.
func NewCascadeDetector(path string) (Detector, error) {
	c, err := loadCascade(path)
	if err != nil {
		return nil, err
	}
	return &cascadeDetector{c: c, neighbors: 4}, nil
}

func loadCascade(path string) (gocv.CascadeClassifier, error) {
	c := gocv.NewCascadeClassifier()
	if _, err := os.Stat(path); err != nil {
		c.Close()
		return c, fmt.Errorf("face: load cascade %s: %w: %w", path, ErrModel, err) // os.ErrNotExist when absent
	}
	if !c.Load(path) {
		c.Close()
		return c, fmt.Errorf("face: load cascade %s: %w", path, ErrModel)
	}
	return c, nil
}

func (d *cascadeDetector) Detect(gray gocv.Mat, minSize int) []image.Rectangle {
	boxes := d.c.DetectMultiScaleWithParams(gray, 1.15, d.neighbors, 0, image.Pt(minSize, minSize), image.Pt(0, 0))
	return largestFirst(boxes)
}

func (d *cascadeDetector) Close() error { return d.c.Close() }

func largestFirst(boxes []image.Rectangle) []image.Rectangle {
	sort.Slice(boxes, func(i, j int) bool { return area(boxes[i]) > area(boxes[j]) })
	return boxes
}

func area(r image.Rectangle) int { return r.Dx() * r.Dy() }

// dnnDetector is an OpenCV DNN single-shot detector with the output layout
// of the res10 SSD face model: [1, 1, N, 7] rows of
// (image, class, confidence, x0, y0, x1, y1) with coordinates in 0..1.
type dnnDetector struct {
	net  gocv.Net
	conf float32
}

// NewDNNDetector loads a face SSD (Caffe, TensorFlow or ONNX, as OpenCV's
// ReadNet recognises by extension). config may be "" for ONNX.
func NewDNNDetector(model, config string, confidence float64) (Detector, error) {
	if _, err := os.Stat(model); err != nil {
		return nil, fmt.Errorf("face: load DNN %s: %w: %w", model, ErrModel, err)
	}
	net := gocv.ReadNet(model, config)
	if net.Empty() {
		net.Close()
		return nil, fmt.Errorf("face: load DNN %s: %w", model, ErrModel)
	}
	return &dnnDetector{net: net, conf: float32(confidence)}, nil
}

func (d *dnnDetector) Detect(gray gocv.Mat, minSize int) []image.Rectangle {
	bgr := gocv.NewMat()
	defer bgr.Close()
	gocv.CvtColor(gray, &bgr, gocv.ColorGrayToBGR)
	blob := gocv.BlobFromImage(bgr, 1, image.Pt(300, 300), gocv.NewScalar(104, 177, 123, 0), false, false)
	defer blob.Close()
	d.net.SetInput(blob, "")
	out := d.net.Forward("")
	defer out.Close()
	return largestFirst(d.parse(out, gray.Cols(), gray.Rows(), minSize))
}

func (d *dnnDetector) parse(out gocv.Mat, w, h, minSize int) []image.Rectangle {
	vals, err := out.DataPtrFloat32()
	if err != nil {
		return nil
	}
	var boxes []image.Rectangle
	for i := 0; i+7 <= len(vals); i += 7 {
		if vals[i+2] < d.conf {
			continue
		}
		r := image.Rect(int(vals[i+3]*float32(w)), int(vals[i+4]*float32(h)), int(vals[i+5]*float32(w)), int(vals[i+6]*float32(h)))
		r = r.Intersect(image.Rect(0, 0, w, h))
		if r.Dx() >= minSize {
			boxes = append(boxes, r)
		}
	}
	return boxes
}

func (d *dnnDetector) Close() error { return d.net.Close() }
