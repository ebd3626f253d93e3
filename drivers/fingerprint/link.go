package fingerprint

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"
)

// ctxPoll bounds how long one Read may block, so cancellation is noticed
// promptly even when the exchange deadline is far away.
const ctxPoll = 100 * time.Millisecond

// LinkStats counts what the decoder saw on the line. Safe to read only
// through (*R30x).Stats.
type LinkStats struct {
	GarbageBytes   uint64 // bytes skipped while hunting for a header
	ChecksumErrors uint64 // frames dropped for a bad checksum
	ForeignFrames  uint64 // frames for another address, ignored
	Retries        uint64 // commands or uploads repeated after a transient error
}

// link is one open line to a module: the port, the module address and the
// receive buffer the decoder works in. Not safe for concurrent use; the
// R30x mutex serialises it.
type link struct {
	port  Port
	addr  uint32
	baud  int
	buf   []byte // receive buffer; holds image data in transit: wiped
	r, w  int
	wbuf  []byte
	stats *LinkStats
}

func newLink(p Port, addr uint32, baud int, stats *LinkStats) *link {
	return &link{port: p, addr: addr, baud: baud, buf: make([]byte, 4*MaxFrame), stats: stats}
}

// send writes one frame addressed to the module.
func (l *link) send(pid byte, payload []byte) error {
	l.wbuf = AppendFrame(l.wbuf[:0], Frame{Addr: l.addr, PID: pid, Payload: payload})
	for off := 0; off < len(l.wbuf); {
		n, err := l.port.Write(l.wbuf[off:])
		if err != nil {
			return transportError("write", err)
		}
		off += n
	}
	return nil
}

// discard drops buffered and pending input so stale bytes (a late answer,
// the R503's power-up 0x55, noise) cannot be taken for the next answer.
func (l *link) discard() {
	clear(l.buf[:l.w])
	l.r, l.w = 0, 0
	_ = l.port.Flush()
}

// wipe clears the receive buffer, which may hold image bytes.
func (l *link) wipe() { clear(l.buf); l.r, l.w = 0, 0 }

// recv returns the next frame from the module, waiting until deadline at
// most. The payload aliases the link's buffer until the next recv.
func (l *link) recv(ctx context.Context, deadline time.Time) (Frame, error) {
	for {
		if f, ok, err := l.parse(); ok || err != nil {
			return f, err
		}
		if err := l.fill(ctx, deadline); err != nil {
			return Frame{}, err
		}
	}
}

// parse decodes a frame from the buffer if a whole one is there.
func (l *link) parse() (Frame, bool, error) {
	for l.r < l.w {
		f, skipped, n, err := ParseFrame(l.buf[l.r:l.w])
		l.stats.GarbageBytes += uint64(skipped)
		l.r += n
		switch {
		case errors.Is(err, ErrIncomplete):
			return Frame{}, false, nil
		case err != nil:
			l.stats.ChecksumErrors++
			return Frame{}, false, err
		case f.Addr != l.addr:
			l.stats.ForeignFrames++
			continue
		}
		return f, true, nil
	}
	return Frame{}, false, nil
}

// fill reads more bytes, compacting the buffer first.
func (l *link) fill(ctx context.Context, deadline time.Time) error {
	if l.r > 0 {
		n := copy(l.buf, l.buf[l.r:l.w])
		clear(l.buf[n:l.w])
		l.r, l.w = 0, n
	}
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		now := time.Now()
		if !now.Before(deadline) {
			return ErrTimeout
		}
		until := now.Add(ctxPoll)
		if deadline.Before(until) {
			until = deadline
		}
		_ = l.port.SetReadDeadline(until)
		n, err := l.port.Read(l.buf[l.w:])
		l.w += n
		if n > 0 {
			return nil
		}
		if err != nil && !errors.Is(err, os.ErrDeadlineExceeded) {
			return transportError("read", err)
		}
	}
}

// transportError classifies a Port error: a vanished line is ErrUnavailable.
func transportError(op string, err error) error {
	if errors.Is(err, ErrUnavailable) {
		return err
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrClosedPipe) || errors.Is(err, os.ErrClosed) {
		return fmt.Errorf("%s: %w: %w", op, ErrUnavailable, err)
	}
	return fmt.Errorf("%s: %w", op, err)
}
