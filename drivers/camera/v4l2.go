package camera

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"gocv.io/x/gocv"
)

// Mode is one resolution, frame rate and pixel format to ask a device for.
type Mode struct {
	FourCC        string
	Width, Height int
	FPS           float64
}

// DefaultModes is the negotiation order. MJPG keeps 720p at 30 fps within
// USB 2.0 bandwidth; uncompressed YUYV 720p usually runs at 10 fps or less,
// so 640x480 YUYV at 30 fps comes before it. A face at kiosk distance still
// has an inter-eye distance of 90 px or more at 640x480.
var DefaultModes = []Mode{
	{"MJPG", 1280, 720, 30},
	{"MJPG", 640, 480, 30},
	{"YUYV", 640, 480, 30},
	{"YUYV", 1280, 720, 10},
}

// V4L2Opts configure a V4L2 camera.
type V4L2Opts struct {
	Opts
	// Modes is the negotiation order; nil means DefaultModes. The first mode
	// the device accepts (same width and height read back, and at least 90%
	// of the frame rate) wins.
	Modes []Mode
}

// NewV4L2 opens a UVC camera through OpenCV's V4L2 backend. device is a
// stable path (/dev/v4l/by-id/..., /dev/ventanilla/camera), a /dev/videoN
// path, or a decimal index. Errors match ErrUnavailable (retry is safe) or
// ErrNoFormat.
func NewV4L2(device string, o *V4L2Opts) (Camera, error) {
	if o == nil {
		o = &V4L2Opts{}
	}
	modes := o.Modes
	if modes == nil {
		modes = DefaultModes
	}
	open := func() (source, error) { return openV4L2(device, modes) }
	return newStream(device, open, &o.Opts, false, false)
}

// v4l2Source is one open V4L2 session.
type v4l2Source struct {
	device string
	path   string // "" when opened by index
	vc     *gocv.VideoCapture
	f      Format
}

func openV4L2(device string, modes []Mode) (source, error) {
	vc, path, err := openCapture(device)
	if err != nil {
		return nil, &DeviceError{Device: device, Op: "open", Err: errors.Join(ErrUnavailable, err)}
	}
	vc.Set(gocv.VideoCaptureBufferSize, 2)
	f, err := negotiate(vc, modes)
	if err != nil {
		vc.Close()
		return nil, &DeviceError{Device: device, Op: "negotiate", Err: err}
	}
	return &v4l2Source{device: device, path: path, vc: vc, f: f}, nil
}

// openCapture resolves a stable path to its /dev/videoN and opens it.
func openCapture(device string) (*gocv.VideoCapture, string, error) {
	if idx, err := strconv.Atoi(device); err == nil {
		vc, err := gocv.VideoCaptureDeviceWithAPI(idx, gocv.VideoCaptureV4L2)
		return checkOpened(vc, err, "", device)
	}
	real, err := filepath.EvalSymlinks(device)
	if err != nil {
		return nil, "", err
	}
	if n, ok := strings.CutPrefix(real, "/dev/video"); ok {
		if idx, err := strconv.Atoi(n); err == nil {
			vc, err := gocv.VideoCaptureDeviceWithAPI(idx, gocv.VideoCaptureV4L2)
			return checkOpened(vc, err, device, device)
		}
	}
	vc, err := gocv.VideoCaptureFileWithAPI(real, gocv.VideoCaptureV4L2)
	return checkOpened(vc, err, device, device)
}

func checkOpened(vc *gocv.VideoCapture, err error, path, device string) (*gocv.VideoCapture, string, error) {
	if err == nil && vc.IsOpened() {
		return vc, path, nil
	}
	if vc != nil {
		vc.Close()
	}
	if err == nil {
		err = fmt.Errorf("V4L2 backend could not open %s (busy, or not a capture device?)", device)
	}
	return nil, "", err
}

// deviceProps is the part of *gocv.VideoCapture negotiation needs.
type deviceProps interface {
	Set(prop gocv.VideoCaptureProperties, v float64)
	Get(prop gocv.VideoCaptureProperties) float64
}

// negotiate asks for each mode in order and keeps the first the device
// accepts.
func negotiate(d deviceProps, modes []Mode) (Format, error) {
	var tried []string
	for _, m := range modes {
		d.Set(gocv.VideoCaptureFOURCC, float64(fourcc(m.FourCC)))
		d.Set(gocv.VideoCaptureFrameWidth, float64(m.Width))
		d.Set(gocv.VideoCaptureFrameHeight, float64(m.Height))
		d.Set(gocv.VideoCaptureFPS, m.FPS)
		got := Format{
			Width:  int(d.Get(gocv.VideoCaptureFrameWidth)),
			Height: int(d.Get(gocv.VideoCaptureFrameHeight)),
			FPS:    d.Get(gocv.VideoCaptureFPS),
			FourCC: fourccString(uint32(d.Get(gocv.VideoCaptureFOURCC))),
		}
		if accepts(m, got) {
			return got, nil
		}
		tried = append(tried, fmt.Sprintf("%s %dx%d@%g -> %v", m.FourCC, m.Width, m.Height, m.FPS, got))
	}
	return Format{}, fmt.Errorf("%w (tried: %s)", ErrNoFormat, strings.Join(tried, "; "))
}

// accepts: same size, same pixel format when the device reports one, and at
// least 90% of the frame rate when it reports one.
func accepts(want Mode, got Format) bool {
	if got.Width != want.Width || got.Height != want.Height {
		return false
	}
	if got.FourCC != "" && got.FourCC != want.FourCC {
		return false
	}
	return got.FPS == 0 || got.FPS >= 0.9*want.FPS
}

func fourcc(s string) uint32 {
	var b [4]byte
	copy(b[:], s)
	return uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24
}

func fourccString(c uint32) string {
	if c == 0 {
		return ""
	}
	b := []byte{byte(c), byte(c >> 8), byte(c >> 16), byte(c >> 24)}
	return strings.TrimRight(string(b), "\x00 ")
}

func (v *v4l2Source) format() Format { return v.f }

func (v *v4l2Source) read(dst *gocv.Mat) error {
	if v.vc.Read(dst) && !dst.Empty() {
		return nil
	}
	if v.path != "" {
		if _, err := os.Stat(v.path); errors.Is(err, os.ErrNotExist) {
			return &DeviceError{Device: v.device, Op: "read", Err: errors.Join(ErrUnavailable, errors.New("device node disappeared (unplugged?)"))}
		}
	}
	return fmt.Errorf("camera %s: read: no frame", v.device)
}

func (v *v4l2Source) close() { v.vc.Close() }
