package sender

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ventanilla-mx/ventanilla/archive/wire"
	"github.com/ventanilla-mx/ventanilla/consent"
)

// Source is the kiosk's ledger (consent/ledger.Ledger.Range).
type Source interface {
	Range(ctx context.Context, from int64, n int) (bodies [][]byte, size int64, note []byte, err error)
}

// Pusher sends one push (wire.Client).
type Pusher interface {
	Push(ctx context.Context, p *wire.Push) (wire.Ack, error)
}

// Options configure a Sender.
type Options struct {
	KioskID string
	Source  Source
	Pusher  Pusher
	Cursor  string // cursor file path
	Batch   int    // leaves per push; 0 means 500
	Now     func() time.Time
}

// Status is what health, metrics and `ventanillactl consent sync` show.
type Status struct {
	Acked        int64     // leaves the archive acknowledged (the cursor)
	Size         int64     // leaves in the local log
	Backlog      int64     // Size - Acked
	OldestUnsent time.Time // statement time of the first unsent leaf; zero when none
	LastSuccess  time.Time
	LastError    string // the archive's or the network's, no record contents
}

// Sender pushes the ledger to the archive.
type Sender struct {
	o  Options
	mu sync.Mutex
	st Status
}

// New loads the cursor (a missing file is a cursor of 0).
func New(o Options) (*Sender, error) {
	if o.Batch <= 0 {
		o.Batch = 500
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	c, err := ReadCursor(o.Cursor)
	if err != nil {
		return nil, err
	}
	return &Sender{o: o, st: Status{Acked: c}}, nil
}

// Status returns the last known status.
func (s *Sender) Status() Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.st
}

// Once pushes batches until the archive holds the whole log, or a push
// fails (the cursor stays where the archive's last acknowledgement put it).
func (s *Sender) Once(ctx context.Context) error {
	for {
		done, err := s.batch(ctx)
		if err != nil {
			s.mu.Lock()
			s.st.LastError = err.Error()
			s.mu.Unlock()
			return err
		}
		if done {
			return nil
		}
	}
}

func (s *Sender) batch(ctx context.Context) (bool, error) {
	from := s.Status().Acked
	bodies, size, note, err := s.o.Source.Range(ctx, from, s.o.Batch)
	if err != nil {
		return false, err
	}
	s.observe(from, size, bodies)
	if from >= size {
		return true, nil
	}
	p := &wire.Push{KioskID: s.o.KioskID}
	for i, b := range bodies {
		p.Entries = append(p.Entries, wire.Entry{Index: from + int64(i), Record: b})
	}
	if from+int64(len(bodies)) == size {
		p.Checkpoint = note
	}
	ack, err := s.o.Pusher.Push(ctx, p)
	var pe *wire.PushError
	if errors.As(err, &pe) && pe.Code == "gap" {
		// The archive holds less than the cursor says (restored from an
		// older backup): start again from 0; it skips what it holds.
		return false, errors.Join(err, s.advance(0))
	}
	if err != nil {
		return false, err
	}
	return false, s.advance(ack.Size)
}

func (s *Sender) observe(from, size int64, bodies [][]byte) {
	var oldest time.Time
	if len(bodies) > 0 {
		if r, err := consent.ParseRecord(bodies[0]); err == nil {
			oldest = r.Time
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.Size, s.st.Backlog, s.st.OldestUnsent = size, max(size-from, 0), oldest
}

func (s *Sender) advance(acked int64) error {
	if err := WriteCursor(s.o.Cursor, acked); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.Acked, s.st.LastSuccess, s.st.LastError = acked, s.o.Now(), ""
	s.st.Backlog = max(s.st.Size-acked, 0)
	return nil
}

// Run calls Once every interval (and at start) until ctx ends.
func (s *Sender) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		s.Once(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// ReadCursor reads a cursor file; a missing file is 0.
func ReadCursor(path string) (int64, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("sender: cursor: %w", err)
	}
	n, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("sender: cursor %s is not a count", path)
	}
	return n, nil
}

// WriteCursor replaces the cursor file durably (temp file, fsync, rename,
// directory fsync).
func WriteCursor(path string, n int64) error {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("sender: cursor: %w", err)
	}
	_, werr := f.WriteString(strconv.FormatInt(n, 10) + "\n")
	serr := f.Sync()
	cerr := f.Close()
	if err := errors.Join(werr, serr, cerr); err != nil {
		return fmt.Errorf("sender: cursor: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("sender: cursor: %w", err)
	}
	d, err := os.Open(filepath.Dir(path))
	if err != nil {
		return fmt.Errorf("sender: cursor: %w", err)
	}
	defer d.Close()
	return d.Sync()
}
