package camera

import (
	"errors"
	"fmt"
	"image"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"gocv.io/x/gocv"
)

// Rate is how fast a replay delivers frames.
type Rate int

const (
	// RateNative paces frames at the source's frame rate (the video's, or
	// ReplayOpts.FPS for images) and drops the oldest when the consumer is
	// slow, like a live camera.
	RateNative Rate = iota
	// RateAsFastAsConsumed delivers every frame, waiting for the consumer.
	RateAsFastAsConsumed
)

// ReplayOpts configure a replay. Zero values mean: native rate, play once,
// 30 fps for images, whole video.
type ReplayOpts struct {
	Opts
	Rate Rate
	Loop bool    // start again at the end instead of ending with io.EOF
	FPS  float64 // frame rate for image sources (and videos that report none)
	// First and Last select a clip of a video or image folder: frames with
	// index First <= i < Last (Last 0 means to the end).
	First, Last int
}

// imageExts are the file name extensions a replay folder is read from.
var imageExts = []string{".bmp", ".jpeg", ".jpg", ".pgm", ".png", ".ppm", ".tif", ".tiff", ".webp"}

// NewReplay opens path, which is a video file, a folder of images (read in
// name order) or one image (one frame; looped, a frozen stream).
func NewReplay(path string, o *ReplayOpts) (Camera, error) {
	if o == nil {
		o = &ReplayOpts{}
	}
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("camera: replay: %w", err)
	}
	var open opener
	switch {
	case st.IsDir():
		names, err := listImages(path)
		if err != nil {
			return nil, err
		}
		open = func() (source, error) { return newFolderSource(names, o), nil }
	case isImage(path):
		open = func() (source, error) { return newFolderSource([]string{path}, o), nil }
	default:
		open = func() (source, error) { return openVideo(path, o) }
	}
	return newStream("replay", open, &o.Opts, o.Rate == RateNative, o.Rate == RateAsFastAsConsumed)
}

// Generator fills dst with frame i (BGR, the generator's own size) or
// returns io.EOF when the sequence ends.
type Generator func(i int, dst *gocv.Mat) error

// NewGenerated replays frames made by gen, at fps (0 means 30).
func NewGenerated(gen Generator, fps float64, o *ReplayOpts) (Camera, error) {
	if o == nil {
		o = &ReplayOpts{}
	}
	if fps <= 0 {
		fps = 30
	}
	open := func() (source, error) { return newGenSource(gen, fps, o) }
	return newStream("generated", open, &o.Opts, o.Rate == RateNative, o.Rate == RateAsFastAsConsumed)
}

func isImage(path string) bool {
	return slices.Contains(imageExts, strings.ToLower(filepath.Ext(path)))
}

func listImages(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("camera: replay: %w", err)
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() && isImage(e.Name()) {
			names = append(names, filepath.Join(dir, e.Name()))
		}
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("camera: replay: no images (%s) in %s", strings.Join(imageExts, " "), dir)
	}
	return names, nil
}

// clip applies First/Last and Loop to a frame index: it returns the next
// index to read and false when the clip has ended.
type clip struct {
	first, last int // last <= 0: to the end
	loop        bool
	i           int
}

func (c *clip) ended() bool { return c.last > 0 && c.i >= c.last }

// folderSource reads images in order, decoding each on demand.
type folderSource struct {
	names []string
	c     clip
	fps   float64
	size  image.Point
	one   gocv.Mat // a single image is decoded once and copied each time
}

func newFolderSource(names []string, o *ReplayOpts) *folderSource {
	fps := o.FPS
	if fps <= 0 {
		fps = 30
	}
	f := &folderSource{names: names, c: clip{first: o.First, last: o.Last, loop: o.Loop, i: o.First}, fps: fps}
	if len(names) == 1 {
		f.one = gocv.IMRead(names[0], gocv.IMReadColor)
		f.size = image.Pt(f.one.Cols(), f.one.Rows())
	} else if m := gocv.IMRead(names[0], gocv.IMReadColor); !m.Empty() {
		f.size = image.Pt(m.Cols(), m.Rows())
		Wipe(&m)
		m.Close()
	}
	return f
}

func (f *folderSource) format() Format {
	return Format{Width: f.size.X, Height: f.size.Y, FPS: f.fps}
}

func (f *folderSource) read(dst *gocv.Mat) error {
	if len(f.names) == 1 {
		return f.readOne(dst)
	}
	if f.c.ended() || f.c.i >= len(f.names) {
		if !f.c.loop {
			return io.EOF
		}
		f.c.i = f.c.first
	}
	m := gocv.IMRead(f.names[f.c.i], gocv.IMReadColor)
	f.c.i++
	defer func() { Wipe(&m); m.Close() }()
	if m.Empty() {
		return fmt.Errorf("camera: replay: cannot decode image %d of %d", f.c.i, len(f.names))
	}
	m.CopyTo(dst)
	return nil
}

func (f *folderSource) readOne(dst *gocv.Mat) error {
	if f.one.Empty() {
		return errors.New("camera: replay: cannot decode the image")
	}
	if f.c.i > 0 && !f.c.loop {
		return io.EOF
	}
	f.c.i++
	f.one.CopyTo(dst)
	return nil
}

func (f *folderSource) close() {
	if len(f.names) == 1 {
		Wipe(&f.one)
		f.one.Close()
	}
}

// videoSource decodes a video file through OpenCV (FFmpeg backend).
type videoSource struct {
	path string
	vc   *gocv.VideoCapture
	c    clip
	fps  float64
	size image.Point
}

func openVideo(path string, o *ReplayOpts) (source, error) {
	v := &videoSource{path: path, c: clip{first: o.First, last: o.Last, loop: o.Loop}, fps: o.FPS}
	if err := v.rewind(); err != nil {
		return nil, err
	}
	if fps := v.vc.Get(gocv.VideoCaptureFPS); fps > 0 && o.FPS <= 0 {
		v.fps = fps
	}
	if v.fps <= 0 {
		v.fps = 30
	}
	v.size = image.Pt(int(v.vc.Get(gocv.VideoCaptureFrameWidth)), int(v.vc.Get(gocv.VideoCaptureFrameHeight)))
	return v, nil
}

// rewind (re)opens the file and skips to the clip's first frame.
func (v *videoSource) rewind() error {
	if v.vc != nil {
		v.vc.Close()
	}
	vc, err := gocv.VideoCaptureFileWithAPI(v.path, gocv.VideoCaptureFFmpeg)
	if err != nil || !vc.IsOpened() {
		if vc != nil {
			vc.Close()
		}
		return fmt.Errorf("camera: replay: cannot open video (is it a video OpenCV's FFmpeg backend reads?): %v", err)
	}
	v.vc, v.c.i = vc, 0
	skip := gocv.NewMat()
	defer func() { Wipe(&skip); skip.Close() }()
	for v.c.i < v.c.first && vc.Read(&skip) {
		v.c.i++
	}
	return nil
}

func (v *videoSource) format() Format {
	return Format{Width: v.size.X, Height: v.size.Y, FPS: v.fps}
}

func (v *videoSource) read(dst *gocv.Mat) error {
	if !v.c.ended() && v.vc.Read(dst) && !dst.Empty() {
		v.c.i++
		return nil
	}
	if !v.c.loop {
		return io.EOF
	}
	if err := v.rewind(); err != nil {
		return err
	}
	if v.vc.Read(dst) && !dst.Empty() {
		v.c.i++
		return nil
	}
	return io.EOF
}

func (v *videoSource) close() { v.vc.Close() }

// genSource calls a Generator.
type genSource struct {
	gen  Generator
	fps  float64
	c    clip
	size image.Point
}

func newGenSource(gen Generator, fps float64, o *ReplayOpts) (source, error) {
	g := &genSource{gen: gen, fps: fps, c: clip{first: o.First, last: o.Last, loop: o.Loop, i: o.First}}
	m := gocv.NewMat()
	defer func() { Wipe(&m); m.Close() }()
	if err := gen(g.c.first, &m); err != nil {
		return nil, fmt.Errorf("camera: generator: first frame: %w", err)
	}
	g.size = image.Pt(m.Cols(), m.Rows())
	return g, nil
}

func (g *genSource) format() Format {
	return Format{Width: g.size.X, Height: g.size.Y, FPS: g.fps}
}

func (g *genSource) read(dst *gocv.Mat) error {
	if g.c.ended() {
		if !g.c.loop {
			return io.EOF
		}
		g.c.i = g.c.first
	}
	err := g.gen(g.c.i, dst)
	if errors.Is(err, io.EOF) && g.c.loop && g.c.i > g.c.first {
		g.c.i = g.c.first
		err = g.gen(g.c.i, dst)
	}
	g.c.i++
	return err
}

func (g *genSource) close() {}
