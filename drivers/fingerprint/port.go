package fingerprint

import (
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"
	"time"

	"github.com/tarm/serial"
)

// Port is the byte stream to a module: a serial line in production, a pipe
// or a flaky iotest-style stream in tests.
//
// Read must return (0, os.ErrDeadlineExceeded) — or an error wrapping it —
// once the read deadline has passed, and must never block much beyond it;
// that is how the driver bounds every exchange and notices cancellation.
// A Read that returns io.EOF or an error wrapping ErrUnavailable means the
// line is gone (unplugged). Write may block only as long as the kernel takes
// to queue the bytes. Flush discards unread input. Close releases the line;
// the driver never calls it concurrently with Read.
type Port interface {
	io.ReadWriter
	SetReadDeadline(t time.Time) error
	Flush() error
	Close() error
}

// OpenFunc opens the line at path with the given baud rate. OpenSerial is the
// production implementation; tests pass their own.
type OpenFunc func(path string, baud int) (Port, error)

// pollInterval is the read timeout given to the serial driver (termios
// VTIME, tenths of a second): the longest a Read blocks without data. It
// bounds how late a deadline or a cancellation is noticed.
const pollInterval = 100 * time.Millisecond

// OpenSerial opens a tty with github.com/tarm/serial at 8N1. Only the
// standard termios rates are available (9600, 19200, 38400, 57600, 115200 of
// the module's 9600×N set).
func OpenSerial(path string, baud int) (Port, error) {
	p, err := serial.OpenPort(&serial.Config{Name: path, Baud: baud, ReadTimeout: pollInterval})
	if err != nil {
		if errors.Is(err, os.ErrNotExist) || errors.Is(err, syscall.ENXIO) || errors.Is(err, syscall.ENODEV) {
			return nil, fmt.Errorf("open %s: %w: %w", path, ErrUnavailable, err)
		}
		return nil, fmt.Errorf("open %s at %d baud: %w", path, baud, err)
	}
	return &serialPort{p: p, path: path, now: time.Now}, nil
}

// serialPort adapts tarm/serial to Port. tarm/serial has no deadlines: with
// ReadTimeout set, an idle Read returns (0, io.EOF) after VTIME. The adapter
// loops on that until the deadline, which gives deadline semantics without
// ever closing the port to cancel a blocked Read (closing a tty under a
// blocked read is unsafe: the read keeps the fd and can see a reused one).
//
// A hung-up tty (USB adapter unplugged) also reads (0, io.EOF), but at once
// instead of after VTIME; several instant EOFs in a row are reported as
// ErrUnavailable.
type serialPort struct {
	p        *serial.Port
	path     string
	deadline time.Time
	now      func() time.Time
}

// hangupEOFs is how many consecutive instant (0, EOF) reads mean a hangup.
const hangupEOFs = 3

func (s *serialPort) Read(b []byte) (int, error) {
	instant := 0
	for {
		start := s.now()
		n, err := s.p.Read(b)
		if n > 0 {
			return n, nil
		}
		if err != nil && err != io.EOF {
			return 0, classifyIOError(s.path, err)
		}
		if s.now().Sub(start) < pollInterval/2 {
			if instant++; instant >= hangupEOFs {
				return 0, fmt.Errorf("read %s: line hung up: %w", s.path, ErrUnavailable)
			}
		} else {
			instant = 0
		}
		if !s.deadline.IsZero() && !s.now().Before(s.deadline) {
			return 0, os.ErrDeadlineExceeded
		}
	}
}

func (s *serialPort) Write(b []byte) (int, error) {
	n, err := s.p.Write(b)
	if err != nil {
		return n, classifyIOError(s.path, err)
	}
	return n, nil
}

func (s *serialPort) SetReadDeadline(t time.Time) error { s.deadline = t; return nil }
func (s *serialPort) Flush() error                      { return s.p.Flush() }
func (s *serialPort) Close() error                      { return s.p.Close() }

// classifyIOError marks the errors a vanished device produces.
func classifyIOError(path string, err error) error {
	if errors.Is(err, syscall.EIO) || errors.Is(err, syscall.ENXIO) || errors.Is(err, syscall.ENODEV) {
		return fmt.Errorf("%s: %w: %w", path, ErrUnavailable, err)
	}
	return fmt.Errorf("%s: %w", path, err)
}
