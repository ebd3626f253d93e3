package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sync"
	"time"

	"github.com/ventanilla-mx/ventanilla/capture/camhub"
	"github.com/ventanilla-mx/ventanilla/capture/face"
	"github.com/ventanilla-mx/ventanilla/capture/facecap"
	"github.com/ventanilla-mx/ventanilla/capture/proto"
	"github.com/ventanilla-mx/ventanilla/liveness"
	"github.com/ventanilla-mx/ventanilla/secmem"
)

// selfTestWait bounds the self-test's wait for the first frame.
const selfTestWait = 2 * time.Second

// server is one connection to the daemon: fd 3.
type server struct {
	conn  *net.UnixConn
	wmu   sync.Mutex
	alloc *secmem.Allocator

	hub       *camhub.Hub
	rep       *reporter
	capture   *facecap.Capturer // nil when the models did not load
	preview   *camhub.Previewer
	hooks     *hooks
	modelsErr string
	interval  time.Duration
	device    string

	mu            sync.Mutex
	cancelCapture context.CancelFunc
	cancelPreview context.CancelFunc
	previewDone   chan struct{}
	wg            sync.WaitGroup
}

func serve(ctx context.Context, stderr io.Writer) int {
	if err := secmem.DisableCoreDumps(); err != nil { // frames and the best shot must not reach a core file
		fmt.Fprintf(stderr, "ventanilla-capture: %v\n", err)
		return 1
	}
	if err := denyNetwork(); err != nil {
		fmt.Fprintf(stderr, "ventanilla-capture: %v\n", err)
		return 1
	}
	f := os.NewFile(3, "capture-socket")
	c, err := net.FileConn(f)
	f.Close()
	if err != nil {
		fmt.Fprintf(stderr, "ventanilla-capture: fd 3: %v\n", err)
		return 1
	}
	conn, ok := c.(*net.UnixConn)
	if !ok {
		fmt.Fprintln(stderr, "ventanilla-capture: fd 3 is not a unix socket")
		return 1
	}
	s := &server{conn: conn, alloc: secmem.NewAllocator(nil), hooks: &hooks{}}
	err = s.loop(ctx)
	s.shutdown()
	if err != nil && ctx.Err() == nil {
		fmt.Fprintf(stderr, "ventanilla-capture: %v\n", err)
		return 1
	}
	return 0
}

// loop reads the daemon's requests until the socket closes.
func (s *server) loop(ctx context.Context) error {
	go func() { <-ctx.Done(); s.conn.Close() }()
	buf := make([]byte, proto.HeaderLen+proto.MaxJSON) // requests are small
	for {
		n, err := s.conn.Read(buf)
		if err != nil || n == 0 {
			if errors.Is(err, net.ErrClosed) || err == nil || errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
		t, p, err := proto.Decode(buf[:n])
		if err != nil {
			s.send(proto.TError, proto.EncodeError(proto.CodeProtocol, err.Error()))
			return err
		}
		if t == proto.TPing { // answered by this loop: a Pong says it turns
			s.send(proto.TPong, p)
			continue
		}
		if err := s.handle(ctx, t, p); err != nil {
			s.send(proto.TError, proto.EncodeError(proto.CodeProtocol, err.Error()))
			return err
		}
	}
}

func (s *server) handle(ctx context.Context, t proto.Type, p []byte) error {
	if t != proto.TConfigure && s.hub == nil {
		return fmt.Errorf("%s before configure", t)
	}
	switch t {
	case proto.TConfigure:
		if s.hub != nil {
			return errors.New("configured twice")
		}
		cfg, err := proto.DecodeConfig(p)
		if err != nil {
			return err
		}
		s.configure(ctx, cfg)
	case proto.TCapture:
		s.startCapture(ctx)
	case proto.TCancel:
		s.mu.Lock()
		if s.cancelCapture != nil {
			s.cancelCapture()
		}
		s.mu.Unlock()
	case proto.TPreview:
		s.setPreview(ctx, p[0] == 1)
	case proto.TSelfTest:
		s.goDo(func() {
			msg := ""
			if err := s.hub.SelfTest(ctx, selfTestWait); err != nil {
				msg = errText(err)
			}
			s.send(proto.TSelfTestDone, []byte(msg))
		})
	default:
		return fmt.Errorf("unexpected %s", t)
	}
	return nil
}

func (s *server) goDo(fn func()) {
	s.wg.Add(1)
	go func() { defer s.wg.Done(); fn() }()
}

// send writes one message; a failed write means the daemon is gone (the
// read loop then ends).
func (s *server) send(t proto.Type, payload ...[]byte) {
	msg := proto.Append(nil, t, payload...)
	s.wmu.Lock()
	s.conn.Write(msg)
	s.wmu.Unlock()
	clear(msg)
}

func (s *server) sendCamera(c proto.Camera) { s.send(proto.TCamera, proto.EncodeJSON(c)) }

// configure builds the camera hub, loads the models and starts the
// camera watch; then it says Ready.
func (s *server) configure(ctx context.Context, cfg *proto.Config) {
	s.rep = &reporter{send: s.sendCamera}
	s.hub = camhub.New(opener(cfg.Camera), s.rep)
	s.rep.hub = s.hub
	s.preview = &camhub.Previewer{Hub: s.hub, Alloc: secmem.Secrets(s.alloc)}
	fo, lo, passive, err := options(cfg)
	if err == nil {
		err = facecap.LoadModels(fo, lo)
	}
	if err != nil {
		s.modelsErr = errText(err)
		s.send(proto.TError, proto.EncodeError(proto.CodeModels, s.modelsErr))
	} else {
		s.capture = facecap.New(s.hub, facecap.Options{Face: fo, Liveness: lo, Passive: passive, Alloc: secmem.Secrets(s.alloc), Hooks: s.hooks})
	}
	s.interval, s.device = time.Duration(cfg.Camera.CheckInterval)*time.Millisecond, cfg.Camera.Device
	if cfg.Camera.Replay != "" {
		s.device = cfg.Camera.Replay
	}
	s.goDo(func() { s.watch(ctx) })
	s.send(proto.TReady)
}

// options maps the config to the face and liveness options.
func options(c *proto.Config) (*face.Opts, *liveness.Opts, bool, error) {
	fo := face.DefaultOpts()
	fo.CascadeDir, fo.DNNModel, fo.DNNConfig = c.Face.CascadeDir, c.Face.DNNModel, c.Face.DNNConfig
	fo.DetectEvery = c.Face.DetectEvery
	fo.Quality.MinEyeDistance = c.Face.MinEyeDistance
	fo.Geometry = face.TokenFrontal(c.Face.CropWidth)
	lo := liveness.DefaultOpts()
	lo.Challenges = nil
	for _, name := range c.Liveness.Challenges {
		ch, err := liveness.ParseChallenge(name)
		if err != nil {
			return nil, nil, false, err
		}
		lo.Challenges = append(lo.Challenges, ch)
	}
	lo.Steps, lo.StepTimeout = c.Liveness.Steps, time.Duration(c.Liveness.StepTimeoutMS)*time.Millisecond
	lo.CascadeDir = c.Face.CascadeDir
	return fo, lo, len(lo.Challenges) == 0, nil
}

// watch probes the camera at start and, while it is closed, checks its
// device node and probes it again while it is failing, so the daemon's
// condition follows an unplug and a replug without a citizen.
func (s *server) watch(ctx context.Context) {
	s.hub.Probe()
	if s.interval <= 0 {
		return
	}
	tick := time.NewTicker(s.interval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		if s.hub.InUse() {
			continue
		}
		if err := checkNode(s.device); err != nil {
			s.rep.OpenFailed(err)
			continue
		}
		if s.rep.isFailing() {
			s.hub.Probe()
		}
	}
}

// hooks keep the last decision's reason for the result (metrics are the
// daemon's: it counts results by decision and reason).
type hooks struct {
	mu     sync.Mutex
	reason string
}

func (h *hooks) Frame(time.Duration) {}
func (h *hooks) ModelsFailed(error)  {}
func (h *hooks) Decided(d *liveness.Decision) {
	h.mu.Lock()
	h.reason = d.Reason
	h.mu.Unlock()
}

func (h *hooks) takeReason() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	r := h.reason
	h.reason = ""
	return r
}
