package archive_test

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/ventanilla-mx/ventanilla/archive"
	"github.com/ventanilla-mx/ventanilla/archive/archivetest"
	"github.com/ventanilla-mx/ventanilla/consent"
	"github.com/ventanilla-mx/ventanilla/devicekey"
	"github.com/ventanilla-mx/ventanilla/internal/pgtest"
	"golang.org/x/mod/sumdb/note"
)

func setup(t *testing.T) (*archivetest.DB, *archive.Archive, *archivetest.Kiosk) {
	db := archivetest.NewDB(t, pgtest.Options{})
	a := db.Open(t)
	k := archivetest.NewKiosk(t, "kiosk-07")
	if err := a.Enroll(context.Background(), k.ID, k.Fx.Device.Public()); err != nil {
		t.Fatal(err)
	}
	return db, a, k
}

func TestIngestIdempotentAndCountersigned(t *testing.T) {
	_, a, k := setup(t)
	ctx := context.Background()
	k.Append(t, 5)
	ack, err := a.Ingest(ctx, k.Push(t, 0, 3))
	if err != nil || ack.Size != 3 {
		t.Fatalf("first push: size %d, %v", ack.Size, err)
	}
	again, err := a.Ingest(ctx, k.Push(t, 0, 3))
	if err != nil || again.Size != 3 || !bytes.Equal(again.Cosigned, ack.Cosigned) {
		t.Fatalf("same push again: size %d, %v", again.Size, err)
	}
	ack, err = a.Ingest(ctx, k.Push(t, 1, 5)) // overlaps what is held
	if err != nil || ack.Size != 5 {
		t.Fatalf("overlapping push: size %d, %v", ack.Size, err)
	}
	kv, _ := devicekey.NoteVerifier(consent.Origin(k.ID), k.Fx.Device.Public())
	av, _ := a.Verifier()
	n, err := note.Open(ack.Cosigned, note.VerifierList(kv, av))
	if err != nil || len(n.Sigs) != 2 {
		t.Fatalf("countersigned checkpoint: %d signatures, %v", len(n.Sigs), err)
	}
}

func TestIngestRefusesGapAndForeignRecords(t *testing.T) {
	_, a, k := setup(t)
	ctx := context.Background()
	k.Append(t, 4)
	if _, err := a.Ingest(ctx, k.Push(t, 2, 4)); !errors.Is(err, archive.ErrGap) {
		t.Fatalf("push starting after a gap: %v", err)
	}
	other := archivetest.NewKiosk(t, k.ID) // same id, another key
	other.Append(t, 1)
	if _, err := a.Ingest(ctx, other.Push(t, 0, 1)); !errors.Is(err, archive.ErrRejected) {
		t.Fatalf("checkpoint under an unenrolled key: %v", err)
	}
	p := k.Push(t, 0, 1)
	p.Entries[0].Record = bytes.Clone(p.Entries[0].Record)
	p.Entries[0].Record[60] ^= 1
	if _, err := a.Ingest(ctx, p); !errors.Is(err, archive.ErrRejected) {
		t.Fatalf("altered record: %v", err)
	}
}

func TestRewriteAfterSyncIsCaughtAndKept(t *testing.T) {
	_, a, k := setup(t)
	ctx := context.Background()
	k.Append(t, 6)
	if _, err := a.Ingest(ctx, k.Push(t, 0, 4)); err != nil {
		t.Fatal(err)
	}
	k.Rewrite(t, 2) // a synced record changed; the kiosk re-signs the whole tree
	// Pushing only the new leaves with the new checkpoint: the root differs.
	if _, err := a.Ingest(ctx, k.Push(t, 4, 6)); !errors.Is(err, archive.ErrFork) {
		t.Fatalf("forked checkpoint: %v", err)
	}
	// Pushing the rewritten leaf itself: the leaf differs.
	if _, err := a.Ingest(ctx, k.Push(t, 0, 6)); !errors.Is(err, archive.ErrFork) {
		t.Fatalf("rewritten leaf: %v", err)
	}
	alerts, err := a.Alerts(ctx)
	if err != nil || len(alerts) != 2 {
		t.Fatalf("alerts: %d, %v", len(alerts), err)
	}
	if alerts[0].Kind != "fork" || alerts[1].Kind != "rewrite" || len(alerts[0].Held) == 0 || len(alerts[0].Presented) == 0 {
		t.Fatalf("alerts do not keep both checkpoints: %+v", alerts[0].Kind)
	}
}

func TestServiceRoleCannotUpdateOrDelete(t *testing.T) {
	db, a, k := setup(t)
	ctx := context.Background()
	k.Append(t, 1)
	if _, err := a.Ingest(ctx, k.Push(t, 0, 1)); err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(ctx, db.Service)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	for _, q := range []string{
		"UPDATE leaves SET leaf_hash = leaf_hash", "DELETE FROM payloads", "DELETE FROM checkpoints",
		"UPDATE checkpoints SET note = note", "TRUNCATE alerts", "DELETE FROM hashes", "UPDATE kiosks SET public_key = public_key",
	} {
		if _, err := conn.Exec(ctx, q); err == nil {
			t.Errorf("service role may run %q", q)
		}
	}
}

// Two pushes of the same leaves at once (a retry racing the original):
// the kiosk lock serialises them and both succeed with the same answer.
func TestConcurrentSamePushes(t *testing.T) {
	_, a, k := setup(t)
	k.Append(t, 40)
	p := k.Push(t, 0, 40)
	errs := make(chan error, 4)
	for range 4 {
		go func() {
			ack, err := a.Ingest(context.Background(), p)
			if err == nil && ack.Size != 40 {
				err = errors.New("wrong size acknowledged")
			}
			errs <- err
		}()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}
