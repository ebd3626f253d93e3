package fingerprint

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"
)

// cmd describes one instruction for the exchange layer.
type cmd struct {
	name string
	ins  byte
	// idempotent commands may be repeated after a transient error: they
	// change nothing on the module, or repeating them has the same effect.
	idempotent bool
}

var (
	cmdVfyPwd        = cmd{"VfyPwd", InsVfyPwd, true}
	cmdHandShake     = cmd{"HandShake", InsHandShake, true}
	cmdReadSysPara   = cmd{"ReadSysPara", InsReadSysPara, true}
	cmdSetSysPara    = cmd{"SetSysPara", InsSetSysPara, false} // may switch baud or write flash: never blind-repeat
	cmdGenImg        = cmd{"GenImg", InsGenImg, true}
	cmdGetImageEx    = cmd{"GetImageEx", InsGetImageEx, true}
	cmdUpImage       = cmd{"UpImage", InsUpImage, true} // re-reads the same image buffer
	cmdReadProdInfo  = cmd{"ReadProdInfo", InsReadProdInfo, true}
	cmdAuraLedConfig = cmd{"AuraLedConfig", InsAuraLedConfig, true}
)

// transient reports whether err is a link hiccup worth repeating an
// idempotent command for.
func transient(err error) bool {
	return errors.Is(err, ErrChecksum) || errors.Is(err, ErrTimeout) || errors.Is(err, ErrProtocol)
}

// command sends c with params and returns the acknowledge parameters after
// a zero confirmation code. Idempotent commands are repeated up to retries
// times after a transient error; a non-zero code is a *ConfirmationError.
func (l *link) command(ctx context.Context, c cmd, timeout time.Duration, retries int, params ...byte) ([]byte, error) {
	payload := append([]byte{c.ins}, params...)
	for attempt := 0; ; attempt++ {
		ack, err := l.exchange(ctx, payload, timeout)
		if err == nil && ack[0] != 0 {
			err = &ConfirmationError{Op: c.name, Code: ack[0]}
		}
		if err == nil {
			return ack[1:], nil
		}
		if !c.idempotent || attempt >= retries || !transient(err) || ctx.Err() != nil {
			return nil, fmt.Errorf("%s: %w", c.name, err)
		}
		l.stats.Retries++
	}
}

// exchange writes one command frame and waits for its acknowledge packet.
// Stale data packets (the tail of an aborted upload) are skipped. The
// returned slice is a copy and holds at least the confirmation code.
func (l *link) exchange(ctx context.Context, payload []byte, timeout time.Duration) ([]byte, error) {
	l.discard()
	if err := l.send(PIDCommand, payload); err != nil {
		return nil, err
	}
	deadline := time.Now().Add(timeout + l.wireTime(MaxFrame))
	for {
		f, err := l.recv(ctx, deadline)
		if err != nil {
			return nil, err
		}
		if f.PID == PIDAck {
			return append([]byte(nil), f.Payload...), nil
		}
	}
}

// wireTime is how long n bytes take on the line: 10 bits per byte (start,
// 8 data, stop; no parity).
func (l *link) wireTime(n int) time.Duration {
	return time.Duration(n) * 10 * time.Second / time.Duration(l.baud)
}

// upload runs UpImage and expands the image into dst (len = width*height).
// The receive buffer is wiped afterwards, whatever happened. On a failure
// mid-transfer the rest of the transfer is drained so the line is quiet
// before the caller retries.
func (l *link) upload(ctx context.Context, dst []byte, timeout time.Duration) error {
	defer l.wipe()
	ack, err := l.exchange(ctx, []byte{InsUpImage}, timeout)
	if err == nil && ack[0] != 0 {
		err = &ConfirmationError{Op: cmdUpImage.name, Code: ack[0]}
	}
	if err == nil {
		err = l.receiveImage(ctx, dst, timeout)
	}
	if err != nil && !errors.Is(err, ErrUnavailable) && ctx.Err() == nil {
		l.drain(ctx)
	}
	return err
}

// receiveImage reads data packets until the end packet.
func (l *link) receiveImage(ctx context.Context, dst []byte, timeout time.Duration) error {
	off := 0
	for {
		f, err := l.recv(ctx, time.Now().Add(timeout+l.wireTime(MaxFrame)))
		if err != nil {
			return fmt.Errorf("image data after %d of %d bytes: %w", off/2, len(dst)/2, err)
		}
		if f.PID != PIDData && f.PID != PIDEnd {
			return fmt.Errorf("image data: packet id 0x%02x inside the transfer: %w", f.PID, ErrImage)
		}
		if off+2*len(f.Payload) > len(dst) {
			return fmt.Errorf("image data: more than the %d bytes of the geometry: check the module model: %w", len(dst)/2, ErrImage)
		}
		expand4(dst[off:], f.Payload)
		off += 2 * len(f.Payload)
		if f.PID == PIDEnd {
			break
		}
	}
	if off != len(dst) {
		return fmt.Errorf("image data: %d of %d bytes (a packet was lost): %w", off/2, len(dst)/2, ErrImage)
	}
	return nil
}

// drain reads and drops input until the line has been quiet for a while
// (the module finishing an upload we abandoned), bounded by the longest an
// image transfer can take.
func (l *link) drain(ctx context.Context) {
	quiet := max(50*time.Millisecond, 4*l.wireTime(MaxFrame))
	limit := time.Now().Add(l.wireTime(2 * 256 * 288))
	for ctx.Err() == nil && time.Now().Before(limit) {
		_ = l.port.SetReadDeadline(time.Now().Add(quiet))
		n, err := l.port.Read(l.buf)
		clear(l.buf[:n])
		if n == 0 && (err == nil || errors.Is(err, os.ErrDeadlineExceeded)) {
			break
		}
		if err != nil && !errors.Is(err, os.ErrDeadlineExceeded) {
			break
		}
	}
	l.discard()
}
