package client

import (
	"fmt"
	"net"
	"sync"
	"sync/atomic"

	"github.com/ventanilla-mx/ventanilla/capture/proto"
	"github.com/ventanilla-mx/ventanilla/session"
)

// proc is one running capture process: its socket, a locked receive
// buffer, and the one capture, preview and self-test that wait for it.
type proc struct {
	conn    *net.UnixConn
	o       Options
	recv    session.Secret // MaxMessage bytes, locked; wiped after every message
	onReady func()

	wmu sync.Mutex

	answered atomic.Uint64 // the last Pong's sequence number

	mu       sync.Mutex
	deadOnce sync.Once
	dead     chan struct{} // closed when the process is gone
	deathErr error
	capture  chan event // the running capture's events
	preview  chan frame // the running preview's frames
	selftest chan string
}

// event is one message for the running capture.
type event struct {
	prompt *session.Prompt
	result *session.FaceResult
	err    error
}

// frame is one preview JPEG, valid until done is closed.
type frame struct {
	jpeg []byte // nil: the stream ended
	done chan struct{}
}

func newProc(conn *net.UnixConn, o Options, recvAlloc session.Allocator) (*proc, error) {
	recv, err := recvAlloc.Alloc(proto.MaxMessage)
	if err != nil {
		return nil, fmt.Errorf("capture: receive buffer: %w", err)
	}
	return &proc{conn: conn, o: o, recv: recv, dead: make(chan struct{})}, nil
}

func (p *proc) send(t proto.Type, payload ...[]byte) error {
	p.wmu.Lock()
	defer p.wmu.Unlock()
	_, err := p.conn.Write(proto.Append(nil, t, payload...))
	return err
}

// read dispatches the process's messages until the socket fails or the
// process breaks the protocol (then it is killed by the caller).
func (p *proc) read() error {
	buf := p.recv.Bytes()
	for {
		n, err := p.conn.Read(buf)
		if err != nil {
			return err
		}
		err = p.dispatch(buf[:n])
		clear(buf[:n])
		if err != nil {
			return err
		}
	}
}

func (p *proc) dispatch(b []byte) error {
	t, pl, err := proto.Decode(b)
	if err != nil {
		return err
	}
	switch t {
	case proto.TReady:
		p.onReady()
	case proto.TPong:
		n, err := proto.DecodeSeq(pl)
		if err != nil {
			return err
		}
		p.answered.Store(n)
		if p.o.Loop != nil {
			p.o.Loop.Beat()
		}
	case proto.TCamera:
		c, err := proto.DecodeCamera(pl)
		if err != nil {
			return err
		}
		p.o.Hooks.Camera(c)
	case proto.TPrompt:
		q, err := proto.DecodePrompt(pl)
		if err != nil {
			return err
		}
		p.toCapture(event{prompt: &session.Prompt{Code: q.Code, Message: q.Message, Step: q.Step, Steps: q.Steps}})
	case proto.TResult:
		return p.result(pl)
	case proto.TError:
		return p.error(pl)
	case proto.TFrame:
		p.toPreview(pl)
	case proto.TSelfTestDone:
		msg, err := proto.DecodeText(pl)
		if err != nil {
			return err
		}
		p.mu.Lock()
		ch := p.selftest
		p.selftest = nil
		p.mu.Unlock()
		if ch != nil {
			ch <- msg
		}
	default:
		return fmt.Errorf("capture protocol: unexpected %s from the capture process", t)
	}
	return nil
}

// result copies the best shot into a Secret of its size; the receive
// buffer is wiped by read.
func (p *proc) result(pl []byte) error {
	m, jpeg, err := proto.DecodeResult(pl)
	if err != nil {
		return err
	}
	p.o.Hooks.Decided(string(m.Decision), m.Reason)
	res := &session.FaceResult{Liveness: session.Liveness{Decision: m.Decision, Method: m.Method, Cues: m.Cues}}
	if len(jpeg) > 0 {
		s, err := p.o.Alloc.Alloc(len(jpeg))
		if err != nil {
			p.toCapture(event{err: fmt.Errorf("face: best shot: %w", err)})
			return nil
		}
		copy(s.Bytes(), jpeg)
		res.JPEG = s
	}
	if !p.toCapture(event{result: res}) && res.JPEG != nil {
		res.JPEG.Release()
	}
	return nil
}

func (p *proc) error(pl []byte) error {
	code, msg, err := proto.DecodeError(pl)
	if err != nil {
		return err
	}
	switch code {
	case proto.CodeModels:
		p.o.Hooks.Models(msg)
		p.toCapture(event{err: fmt.Errorf("face: %w: models: %s", session.ErrDevice, msg)})
	case proto.CodeProtocol:
		return fmt.Errorf("capture process: protocol error: %s", msg)
	default:
		p.toCapture(event{err: codeError(code, msg)})
	}
	return nil
}

func codeError(code proto.Code, msg string) error {
	switch code {
	case proto.CodeDevice:
		return fmt.Errorf("face: %w: %s", session.ErrDevice, msg)
	case proto.CodeQuality:
		return fmt.Errorf("face: %w: %s", session.ErrQuality, msg)
	case proto.CodeCanceled:
		return errCanceled
	}
	return fmt.Errorf("face: capture process: %s", msg)
}

var errCanceled = fmt.Errorf("face: capture cancelled")

// toCapture hands an event to the running capture; false when none runs.
func (p *proc) toCapture(ev event) bool {
	p.mu.Lock()
	ch := p.capture
	p.mu.Unlock()
	if ch == nil {
		return false
	}
	select {
	case ch <- ev:
		return true
	case <-p.dead:
		return false
	}
}

// toPreview hands a frame to the running preview and waits until it is
// done with it (the bytes are in the receive buffer).
func (p *proc) toPreview(jpeg []byte) {
	p.mu.Lock()
	ch := p.preview
	p.mu.Unlock()
	if ch == nil {
		return
	}
	f := frame{jpeg: jpeg, done: make(chan struct{})}
	if len(jpeg) == 0 { // the end: it must arrive
		f.jpeg = nil
		select {
		case ch <- f:
			<-f.done
		case <-p.dead:
		}
		return
	}
	select {
	case ch <- f:
		<-f.done
	default: // the preview is busy with the previous frame: drop this one
	}
}

// die marks the process gone; waiting users see it.
func (p *proc) die(err error) {
	p.mu.Lock()
	p.deathErr = err
	p.mu.Unlock()
	p.abandon()
	p.recv.Release()
}

// abandon tells waiting users the process is gone (its reader may still
// be finishing a message).
func (p *proc) abandon() { p.deadOnce.Do(func() { close(p.dead) }) }
