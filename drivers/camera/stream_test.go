package camera

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"gocv.io/x/gocv"
)

// fakeDevice is a scripted device: it delivers frames until unplugged, and
// refuses to open while unplugged or for failOpens more attempts.
type fakeDevice struct {
	mu        sync.Mutex
	plugged   bool
	failOpens int
	opens     []time.Time
	frames    int
}

func (d *fakeDevice) open() (source, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.opens = append(d.opens, time.Now())
	if !d.plugged || d.failOpens > 0 {
		d.failOpens--
		return nil, &DeviceError{Device: "fake", Op: "open", Err: ErrUnavailable}
	}
	return &fakeSource{d: d}, nil
}

func (d *fakeDevice) set(plugged bool) {
	d.mu.Lock()
	d.plugged = plugged
	d.mu.Unlock()
}

type fakeSource struct{ d *fakeDevice }

func (s *fakeSource) format() Format { return Format{Width: 8, Height: 6, FPS: 30, FourCC: "MJPG"} }
func (s *fakeSource) close()         {}
func (s *fakeSource) read(dst *gocv.Mat) error {
	time.Sleep(time.Second / 30) // a device delivers at its frame rate (fake time in synctest)
	s.d.mu.Lock()
	defer s.d.mu.Unlock()
	if !s.d.plugged {
		return fmt.Errorf("VIDIOC_DQBUF: no such device")
	}
	s.d.frames++
	m := gocv.NewMatWithSize(6, 8, gocv.MatTypeCV8UC3)
	m.CopyTo(dst)
	m.Close()
	return nil
}

type stateLog struct {
	mu     sync.Mutex
	states []State
	causes []error
}

func (l *stateLog) record(s State, cause error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.states = append(l.states, s)
	l.causes = append(l.causes, cause)
}

func (l *stateLog) last() (State, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.states[len(l.states)-1], l.causes[len(l.causes)-1]
}

func TestUnplugReopenWithBackoff(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		dev := &fakeDevice{plugged: true}
		var log stateLog
		o := &Opts{Buffer: 2, ReopenMin: 100 * time.Millisecond, ReopenMax: 400 * time.Millisecond, ReadFailures: 3, OnState: log.record}
		cam, err := newStream("fake", dev.open, o, false, false)
		if err != nil {
			t.Fatal(err)
		}
		defer cam.Close()
		ctx := t.Context()
		cam.Start(ctx)
		f, err := cam.Next(ctx)
		if err != nil {
			t.Fatal(err)
		}
		f.Release()

		dev.set(false)
		_, err = nextUntilErr(ctx, cam)
		if !errors.Is(err, ErrUnavailable) {
			t.Fatalf("Next after unplug: %v; want ErrUnavailable", err)
		}
		// Next sees the state as soon as the loop publishes it; the loop
		// calls OnState just after, outside the driver's lock. Wait until
		// it has (it then blocks on the reopen timer) before reading the log.
		synctest.Wait()
		if s, cause := log.last(); s != StateUnavailable || !errors.Is(cause, ErrUnavailable) {
			t.Errorf("OnState last = %v (%v); want unavailable with ErrUnavailable", s, cause)
		}
		time.Sleep(2 * time.Second) // fake time: several reopen attempts fail
		synctest.Wait()
		dev.mu.Lock()
		opens := append([]time.Time(nil), dev.opens[1:]...)
		dev.mu.Unlock()
		wantGaps := []time.Duration{200, 400, 400} // first attempt ReopenMin after the loss
		for i, want := range wantGaps {
			if i+1 >= len(opens) {
				t.Fatalf("only %d reopen attempts in 2s", len(opens))
			}
			if gap := opens[i+1].Sub(opens[i]); gap != want*time.Millisecond {
				t.Errorf("backoff gap %d = %v; want %v", i, gap, want*time.Millisecond)
			}
		}
		if _, err := cam.Next(ctx); !errors.Is(err, ErrUnavailable) {
			t.Errorf("Next while unplugged: %v; want ErrUnavailable", err)
		}

		dev.set(true)
		time.Sleep(400 * time.Millisecond)
		synctest.Wait()
		f, err = cam.Next(ctx)
		if err != nil {
			t.Fatalf("Next after replug: %v", err)
		}
		f.Release()
		if s, _ := log.last(); s != StateStreaming {
			t.Errorf("state after replug = %v; want streaming", s)
		}
		if st := cam.Stats(); st.Reopens != 1 || st.Errors < 3 {
			t.Errorf("Stats = %+v; want 1 reopen and >= 3 errors", st)
		}
	})
}

func nextUntilErr(ctx context.Context, cam Camera) (int, error) {
	for n := 0; ; n++ {
		f, err := cam.Next(ctx)
		if err != nil {
			return n, err
		}
		f.Release()
	}
}

func TestDropOldest(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		dev := &fakeDevice{plugged: true}
		cam, err := newStream("fake", dev.open, &Opts{Buffer: 3}, false, false)
		if err != nil {
			t.Fatal(err)
		}
		defer cam.Close()
		cam.Start(t.Context())
		time.Sleep(time.Second + time.Millisecond) // 30 frames arrive; nobody reads
		synctest.Wait()
		st := cam.Stats()
		if st.Frames != 30 || st.Dropped != 27 {
			t.Errorf("Stats = %+v; want 30 frames, 27 dropped", st)
		}
		f, _ := cam.Next(t.Context())
		if f.Seq != 27 {
			t.Errorf("first frame read has Seq %d; want 27 (the oldest kept)", f.Seq)
		}
		f.Release()
	})
}

func TestPacingAtNativeRate(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		gen := func(i int, dst *gocv.Mat) error {
			m := gocv.NewMatWithSize(2, 2, gocv.MatTypeCV8UC3)
			m.CopyTo(dst)
			return m.Close()
		}
		cam, err := NewGenerated(gen, 25, &ReplayOpts{Rate: RateNative})
		if err != nil {
			t.Fatal(err)
		}
		defer cam.Close()
		cam.Start(t.Context())
		var prev time.Time
		for i := 0; i < 5; i++ {
			f, err := cam.Next(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			if i > 0 && f.Time.Sub(prev) != 40*time.Millisecond {
				t.Errorf("frame %d came %v after the previous; want 40ms at 25 fps", i, f.Time.Sub(prev))
			}
			prev = f.Time
			f.Release()
		}
	})
}

// fakeProps accepts only the modes it lists, like a UVC driver that snaps
// requests to its nearest supported mode.
type fakeProps struct {
	supported []Mode
	req       Mode
	cur       Mode
}

func (p *fakeProps) Set(prop gocv.VideoCaptureProperties, v float64) {
	switch prop {
	case gocv.VideoCaptureFOURCC:
		p.req.FourCC = fourccString(uint32(v))
	case gocv.VideoCaptureFrameWidth:
		p.req.Width = int(v)
	case gocv.VideoCaptureFrameHeight:
		p.req.Height = int(v)
	case gocv.VideoCaptureFPS:
		p.req.FPS = v
		p.cur = p.supported[0]
		for _, m := range p.supported {
			if m == p.req {
				p.cur = m
			}
		}
	}
}

func (p *fakeProps) Get(prop gocv.VideoCaptureProperties) float64 {
	switch prop {
	case gocv.VideoCaptureFOURCC:
		return float64(fourcc(p.cur.FourCC))
	case gocv.VideoCaptureFrameWidth:
		return float64(p.cur.Width)
	case gocv.VideoCaptureFrameHeight:
		return float64(p.cur.Height)
	}
	return p.cur.FPS
}

func TestNegotiate(t *testing.T) {
	tests := []struct {
		name      string
		supported []Mode
		want      Format
		err       error
	}{
		{"prefers MJPG 720p30", []Mode{{"YUYV", 640, 480, 30}, {"MJPG", 1280, 720, 30}}, Format{1280, 720, 30, "MJPG"}, nil},
		{"falls back to MJPG VGA", []Mode{{"YUYV", 1280, 720, 10}, {"MJPG", 640, 480, 30}}, Format{640, 480, 30, "MJPG"}, nil},
		{"YUYV only", []Mode{{"YUYV", 1280, 720, 10}, {"YUYV", 640, 480, 30}}, Format{640, 480, 30, "YUYV"}, nil},
		{"slow 720p YUYV last", []Mode{{"YUYV", 1280, 720, 10}}, Format{1280, 720, 10, "YUYV"}, nil},
		{"nothing acceptable", []Mode{{"YUYV", 320, 240, 30}}, Format{}, ErrNoFormat},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := negotiate(&fakeProps{supported: tt.supported}, DefaultModes)
			if !errors.Is(err, tt.err) || got != tt.want {
				t.Errorf("negotiate = %v, %v; want %v, %v", got, err, tt.want, tt.err)
			}
		})
	}
}

func TestFourCCRoundTrip(t *testing.T) {
	for _, s := range []string{"MJPG", "YUYV", "H264"} {
		if got := fourccString(fourcc(s)); got != s {
			t.Errorf("fourccString(fourcc(%q)) = %q", s, got)
		}
	}
}

func TestV4L2MissingDevice(t *testing.T) {
	_, err := NewV4L2("/dev/v4l/by-id/usb-none-video-index0", nil)
	var de *DeviceError
	if !errors.Is(err, ErrUnavailable) || !errors.As(err, &de) || de.Op != "open" {
		t.Errorf("NewV4L2(missing) = %v; want a DeviceError{Op: open} matching ErrUnavailable", err)
	}
}
