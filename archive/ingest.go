package archive

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"
	"github.com/ventanilla-mx/ventanilla/archive/wire"
	"github.com/ventanilla-mx/ventanilla/consent"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// Entry, Push and Ack are the wire types (archive/wire).
type (
	Entry = wire.Entry
	Push  = wire.Push
	Ack   = wire.Ack
)

type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

func (a *Archive) kioskKey(ctx context.Context, q querier, kiosk string) (ed25519.PublicKey, error) {
	var pub []byte
	err := q.QueryRow(ctx, `SELECT public_key FROM kiosks WHERE kiosk_id = $1`, kiosk).Scan(&pub)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ErrUnknownKiosk
	}
	if err != nil {
		return nil, fmt.Errorf("archive: kiosk key: %w", err)
	}
	return ed25519.PublicKey(pub), nil
}

// ingest is the state of one push inside its transaction.
type ingest struct {
	a      *Archive
	tx     pgx.Tx
	kiosk  string
	pub    ed25519.PublicKey
	held   int64 // leaves held before this push
	fresh  []Entry
	recs   []*consent.Record
	hashes map[int64]tlog.Hash
	cp     consent.Checkpoint
	alert  *Alert
	bound  int // bindings stored by this push
}

// Ingest verifies and stores a push. It is idempotent: pushing what is held
// again changes nothing and returns the same Ack. A push inconsistent with
// what is held is refused with ErrFork and an alert is stored.
func (a *Archive) Ingest(ctx context.Context, p *Push) (Ack, error) {
	ack, alert, err := a.ingestTx(ctx, p)
	if alert != nil {
		if aerr := a.raise(ctx, alert); aerr != nil {
			err = errors.Join(err, aerr)
		}
	}
	return ack, err
}

func (a *Archive) ingestTx(ctx context.Context, p *Push) (Ack, *Alert, error) {
	tx, err := a.pool.Begin(ctx)
	if err != nil {
		return Ack{}, nil, fmt.Errorf("archive: begin: %w", err)
	}
	defer tx.Rollback(ctx)
	in := &ingest{a: a, tx: tx, kiosk: p.KioskID, hashes: map[int64]tlog.Hash{}}
	ack, err := in.run(ctx, p)
	if err != nil {
		return Ack{}, in.alert, err
	}
	if err := tx.Commit(ctx); err != nil {
		return Ack{}, nil, fmt.Errorf("archive: commit: %w", err)
	}
	a.metrics.ingested(len(in.fresh), in.bound, a.now())
	return ack, nil, nil
}

func (in *ingest) run(ctx context.Context, p *Push) (Ack, error) {
	var err error
	if in.pub, in.held, err = in.kioskState(ctx); err != nil {
		return Ack{}, err
	}
	if p.Checkpoint != nil {
		if in.cp, err = consent.OpenCheckpoint(p.Checkpoint, consent.Origin(in.kiosk), in.pub); err != nil {
			return Ack{}, fmt.Errorf("%w: %v", ErrRejected, err)
		}
	}
	steps := []func(context.Context, *Push) error{in.entries, in.tree, in.store, in.bindings}
	for _, step := range steps {
		if err := step(ctx, p); err != nil {
			return Ack{}, err
		}
	}
	var cosigned []byte
	if p.Checkpoint != nil {
		if cosigned, err = in.checkpoint(ctx, p.Checkpoint); err != nil {
			return Ack{}, err
		}
	}
	return Ack{Size: in.held + int64(len(in.fresh)), Cosigned: cosigned}, nil
}

// kioskState takes the kiosk's lock (held to the end of the transaction)
// and reads its key and the number of leaves held.
func (in *ingest) kioskState(ctx context.Context) (ed25519.PublicKey, int64, error) {
	// The lock is its own statement: under READ COMMITTED a statement's
	// snapshot is taken when it starts, so the held size must be read by a
	// statement that starts after the lock is granted.
	if _, err := in.tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, in.kiosk); err != nil {
		return nil, 0, fmt.Errorf("archive: lock: %w", err)
	}
	var pub []byte
	var held int64
	err := in.tx.QueryRow(ctx, `SELECT k.public_key, (SELECT coalesce(max(idx) + 1, 0) FROM leaves WHERE kiosk_id = $1)
		FROM kiosks k WHERE k.kiosk_id = $1`, in.kiosk).Scan(&pub, &held)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, 0, ErrUnknownKiosk
	}
	if err != nil {
		return nil, 0, fmt.Errorf("archive: kiosk state: %w", err)
	}
	return ed25519.PublicKey(pub), held, nil
}

// entries splits the push into leaves already held (which must be
// identical) and new ones (verified).
func (in *ingest) entries(ctx context.Context, p *Push) error {
	if len(p.Entries) > 0 && p.Entries[0].Index > in.held {
		return fmt.Errorf("%w: first pushed leaf %d, %d held", ErrGap, p.Entries[0].Index, in.held)
	}
	var old []int64
	var oldHashes [][]byte
	for i, e := range p.Entries {
		if i > 0 && e.Index != p.Entries[i-1].Index+1 {
			return fmt.Errorf("%w: leaves %d and %d not consecutive", ErrRejected, p.Entries[i-1].Index, e.Index)
		}
		if e.Index < in.held {
			h := consent.LeafHash(e.Record)
			old, oldHashes = append(old, e.Index), append(oldHashes, h[:])
			continue
		}
		r, err := consent.VerifyRecord(e.Record, in.pub)
		if err != nil || r.KioskID != in.kiosk {
			return fmt.Errorf("%w: leaf %d: record does not verify for this kiosk", ErrRejected, e.Index)
		}
		in.fresh, in.recs = append(in.fresh, e), append(in.recs, r)
	}
	return in.sameAsHeld(ctx, old, oldHashes, p.Checkpoint)
}

func (in *ingest) sameAsHeld(ctx context.Context, idx []int64, hashes [][]byte, presented []byte) error {
	if len(idx) == 0 {
		return nil
	}
	var differs int64 = -1
	err := in.tx.QueryRow(ctx, `SELECT coalesce(min(l.idx), -1) FROM leaves l
		JOIN unnest($2::bigint[], $3::bytea[]) AS p(idx, h) ON p.idx = l.idx
		WHERE l.kiosk_id = $1 AND l.leaf_hash <> p.h`, in.kiosk, idx, hashes).Scan(&differs)
	if err != nil {
		return fmt.Errorf("archive: compare held leaves: %w", err)
	}
	if differs >= 0 {
		return in.fork(ctx, "rewrite", fmt.Sprintf("leaf %d differs from the one held", differs), presented)
	}
	return nil
}

// tree computes the stored hashes of the new leaves and checks the pushed
// checkpoint's root against the tree at its size.
func (in *ingest) tree(ctx context.Context, p *Push) error {
	hr := in.hashReader(ctx)
	for i, e := range in.fresh {
		hs, err := tlog.StoredHashes(e.Index, e.Record, hr)
		if err != nil {
			return fmt.Errorf("archive: tree hashes: %w", err)
		}
		for j, h := range hs {
			in.hashes[tlog.StoredHashIndex(0, e.Index)+int64(j)] = h
		}
		_ = i
	}
	size := in.held + int64(len(in.fresh))
	if in.cp.Size > size {
		return fmt.Errorf("%w: checkpoint of %d leaves, %d held and pushed", ErrGap, in.cp.Size, size)
	}
	if p.Checkpoint == nil || in.cp.Size == 0 {
		return nil
	}
	root, err := tlog.TreeHash(in.cp.Size, hr)
	if err != nil {
		return fmt.Errorf("archive: tree hash: %w", err)
	}
	if root != in.cp.Root {
		return in.fork(ctx, "fork", fmt.Sprintf("checkpoint root at size %d differs from the held tree", in.cp.Size), p.Checkpoint)
	}
	return nil
}

func (in *ingest) hashReader(ctx context.Context) tlog.HashReaderFunc {
	return func(indexes []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(indexes))
		var missing []int64
		for i, x := range indexes {
			if h, ok := in.hashes[x]; ok {
				out[i] = h
			} else {
				missing = append(missing, x)
			}
		}
		if len(missing) == 0 {
			return out, nil
		}
		got, err := readHashes(ctx, in.tx, in.kiosk, missing)
		if err != nil {
			return nil, err
		}
		for i, x := range indexes {
			if h, ok := got[x]; ok {
				out[i] = h
			} else if _, mem := in.hashes[x]; !mem {
				return nil, fmt.Errorf("archive: stored hash %d missing", x)
			}
		}
		return out, nil
	}
}

func readHashes(ctx context.Context, q querier, kiosk string, idx []int64) (map[int64]tlog.Hash, error) {
	rows, err := q.Query(ctx, `SELECT hidx, hash FROM hashes WHERE kiosk_id = $1 AND hidx = ANY($2)`, kiosk, idx)
	if err != nil {
		return nil, fmt.Errorf("archive: read hashes: %w", err)
	}
	got := map[int64]tlog.Hash{}
	var x int64
	var h []byte
	_, err = pgx.ForEachRow(rows, []any{&x, &h}, func() error {
		got[x] = tlog.Hash(h)
		return nil
	})
	return got, err
}

// store inserts the new leaves, payloads and hashes (COPY; no conflicts are
// possible under the kiosk's lock, since only indexes ≥ held are new).
func (in *ingest) store(ctx context.Context, _ *Push) error {
	if len(in.fresh) == 0 {
		return nil
	}
	leaves := make([][]any, len(in.fresh))
	payloads := make([][]any, len(in.fresh))
	for i, e := range in.fresh {
		r, h := in.recs[i], consent.LeafHash(e.Record)
		leaves[i] = []any{in.kiosk, e.Index, r.ID[:], h[:], r.Time, r.Requests}
		payloads[i] = []any{in.kiosk, e.Index, e.Record}
	}
	hashes := make([][]any, 0, len(in.hashes))
	keys := make([]int64, 0, len(in.hashes))
	for x := range in.hashes {
		keys = append(keys, x)
	}
	slices.Sort(keys)
	for _, x := range keys {
		h := in.hashes[x]
		hashes = append(hashes, []any{in.kiosk, x, h[:]})
	}
	copies := []struct {
		table string
		cols  []string
		rows  [][]any
	}{
		{"leaves", []string{"kiosk_id", "idx", "record_id", "leaf_hash", "stmt_time", "requests"}, leaves},
		{"payloads", []string{"kiosk_id", "idx", "record"}, payloads},
		{"hashes", []string{"kiosk_id", "hidx", "hash"}, hashes},
	}
	for _, c := range copies {
		if _, err := in.tx.CopyFrom(ctx, pgx.Identifier{c.table}, c.cols, pgx.CopyFromRows(c.rows)); err != nil {
			return fmt.Errorf("archive: insert %s: %w", c.table, err)
		}
	}
	return nil
}

// checkpoint stores the pushed checkpoint with the archive's
// countersignature (once per size) and returns the countersigned note.
func (in *ingest) checkpoint(ctx context.Context, msg []byte) ([]byte, error) {
	cosigned, err := in.a.cosign(msg, in.cp)
	if err != nil {
		return nil, err
	}
	tag, err := in.tx.Exec(ctx, `INSERT INTO checkpoints (kiosk_id, size, root, note, cosigned) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT DO NOTHING`, in.kiosk, in.cp.Size, in.cp.Root[:], msg, cosigned)
	if err != nil {
		return nil, fmt.Errorf("archive: store checkpoint: %w", err)
	}
	if tag.RowsAffected() == 1 {
		return cosigned, nil
	}
	// Held already (a repeated push): answer with the stored countersignature.
	err = in.tx.QueryRow(ctx, `SELECT cosigned FROM checkpoints WHERE kiosk_id = $1 AND size = $2`, in.kiosk, in.cp.Size).Scan(&cosigned)
	if err != nil {
		return nil, fmt.Errorf("archive: read checkpoint: %w", err)
	}
	return cosigned, nil
}

// cosign appends the archive's note signature to the kiosk's signed
// checkpoint. Both signatures are over the same checkpoint text.
func (a *Archive) cosign(msg []byte, cp consent.Checkpoint) ([]byte, error) {
	text := cp.Text()
	own, err := note.Sign(&note.Note{Text: text}, a.signer)
	if err != nil {
		return nil, fmt.Errorf("archive: countersign: %w", err)
	}
	line := own[len(text)+1:]
	if !bytes.HasSuffix(msg, []byte("\n")) {
		return nil, fmt.Errorf("%w: checkpoint note does not end in a newline", ErrRejected)
	}
	return append(bytes.Clone(msg), line...), nil
}
