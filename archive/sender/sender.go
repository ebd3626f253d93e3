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

// BindingSource is the ledger's identity bindings
// (consent/ledger.Ledger.Bindings). A Source that also implements it has
// its bindings pushed after the leaves they name.
type BindingSource interface {
	Bindings(ctx context.Context, from int64, n int) (bodies [][]byte, idx []int64, total int64, err error)
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
	// BindingCursor is the file of the bindings acknowledged; default
	// Cursor + ".bindings".
	BindingCursor string
	Batch         int // leaves per push; 0 means 500
	Now           func() time.Time
}

// Status is what health, metrics and `ventanillactl consent sync` show.
type Status struct {
	Acked        int64     // leaves the archive acknowledged (the cursor)
	Size         int64     // leaves in the local log
	Backlog      int64     // Size - Acked
	OldestUnsent time.Time // statement time of the first unsent leaf; zero when none
	LastSuccess  time.Time
	LastError    string // the archive's or the network's, no record contents
	// BindingsAcked and BindingBacklog count identity bindings the same way.
	BindingsAcked  int64
	BindingBacklog int64
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
	if o.BindingCursor == "" {
		o.BindingCursor = o.Cursor + ".bindings"
	}
	c, err := ReadCursor(o.Cursor)
	if err != nil {
		return nil, err
	}
	bc, err := ReadCursor(o.BindingCursor)
	if err != nil {
		return nil, err
	}
	return &Sender{o: o, st: Status{Acked: c, BindingsAcked: bc}}, nil
}

// Status returns the last known status.
func (s *Sender) Status() Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.st
}

// Once pushes batches until the archive holds the whole log and every
// binding whose leaf it holds, or a push fails (the cursors stay where the
// archive's last acknowledgement put them).
func (s *Sender) Once(ctx context.Context) error {
	steps := []func(context.Context) (bool, error){s.batch}
	if _, ok := s.o.Source.(BindingSource); ok {
		steps = append(steps, s.bindingBatch)
	}
	for _, step := range steps {
		for {
			done, err := step(ctx)
			if err != nil {
				s.mu.Lock()
				s.st.LastError = err.Error()
				s.mu.Unlock()
				return err
			}
			if done {
				break
			}
		}
	}
	return nil
}

// bindingBatch pushes the next bindings whose leaves the archive holds
// (a binding made after the last leaf push waits for the next round).
func (s *Sender) bindingBatch(ctx context.Context) (bool, error) {
	st := s.Status()
	bodies, idx, total, err := s.o.Source.(BindingSource).Bindings(ctx, st.BindingsAcked, s.o.Batch)
	if err != nil {
		return false, err
	}
	s.mu.Lock()
	s.st.BindingBacklog = max(total-st.BindingsAcked, 0)
	s.mu.Unlock()
	n := 0
	for n < len(bodies) && idx[n] < st.Acked {
		n++
	}
	if n == 0 {
		return true, nil
	}
	if _, err := s.o.Pusher.Push(ctx, &wire.Push{KioskID: s.o.KioskID, Bindings: bodies[:n]}); err != nil {
		return false, err
	}
	if err := s.advanceBindings(st.BindingsAcked+int64(n), total); err != nil {
		return false, err
	}
	return n < len(bodies) || len(bodies) < s.o.Batch, nil
}

func (s *Sender) advanceBindings(acked, total int64) error {
	if err := WriteCursor(s.o.BindingCursor, acked); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.BindingsAcked, s.st.BindingBacklog, s.st.LastSuccess, s.st.LastError = acked, max(total-acked, 0), s.o.Now(), ""
	return nil
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
		// older backup): start again from 0; it skips what it holds. Its
		// bindings may be as old: they are sent again too.
		return false, errors.Join(err, s.advance(0), s.advanceBindings(0, s.Status().BindingsAcked))
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
