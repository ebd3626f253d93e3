package archive_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/ventanilla-mx/ventanilla/archive"
	"github.com/ventanilla-mx/ventanilla/archive/sender"
	"github.com/ventanilla-mx/ventanilla/archive/wire"
)

// flaky is a Pusher whose network can be cut; it counts leaves delivered.
type flaky struct {
	a         *archive.Archive
	down      bool
	delivered map[int64]int
}

func (f *flaky) Push(ctx context.Context, p *wire.Push) (wire.Ack, error) {
	if f.down {
		return wire.Ack{}, errors.New("network unreachable")
	}
	ack, err := f.a.Ingest(ctx, p)
	if err == nil {
		for _, e := range p.Entries {
			f.delivered[e.Index]++
		}
	}
	return ack, err
}

func TestSenderCatchesUpAfterOutageWithoutGapOrDuplicate(t *testing.T) {
	_, a, k := setup(t)
	ctx := context.Background()
	net := &flaky{a: a, delivered: map[int64]int{}}
	cursor := filepath.Join(t.TempDir(), "cursor")
	now := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	o := sender.Options{KioskID: k.ID, Source: k, Pusher: net, Cursor: cursor, Batch: 4, Now: func() time.Time { return now }}
	s, err := sender.New(o)
	if err != nil {
		t.Fatal(err)
	}
	k.Append(t, 5)
	if err := s.Once(ctx); err != nil {
		t.Fatal(err)
	}
	net.down = true // a simulated day without the archive; the kiosk keeps appending
	k.Append(t, 9)
	if err := s.Once(ctx); err == nil {
		t.Fatal("push succeeded with the network cut")
	}
	st := s.Status()
	if st.Backlog != 9 || st.OldestUnsent.IsZero() || st.LastError == "" {
		t.Fatalf("status during outage: %+v", st)
	}
	// The kiosk restarts during the outage: the cursor survives.
	if s, err = sender.New(o); err != nil || s.Status().Acked != 5 {
		t.Fatalf("cursor after restart: %+v, %v", s.Status(), err)
	}
	net.down = false
	if err := s.Once(ctx); err != nil {
		t.Fatal(err)
	}
	if st := s.Status(); st.Backlog != 0 || st.Acked != 14 {
		t.Fatalf("after catch-up: %+v", st)
	}
	for i := int64(0); i < 14; i++ {
		if net.delivered[i] != 1 {
			t.Fatalf("leaf %d delivered %d times", i, net.delivered[i])
		}
	}
}
