package ledger

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ventanilla-mx/ventanilla/consent"
	"golang.org/x/mod/sumdb/tlog"
)

// Receipt acknowledges a durable consent: it is in the store and the tree
// committed by Checkpoint.
type Receipt struct {
	ID         consent.ID
	Index      int64     // leaf index
	RecordHash tlog.Hash // tlog.RecordHash of the canonical record bytes
	TreeSize   int64     // size of the tree after this append
	Checkpoint []byte    // signed checkpoint of that tree
}

// StatementOpts are what the session knows when the notice is shown.
type StatementOpts struct {
	OperatorID string
	Notice     consent.Notice
	Purposes   []string // any order; sorted and deduplicated here
	Requests   []string // verification request ids this consent covers
}

// NewStatement returns a statement with a fresh UUIDv7, this kiosk's id, the
// current UTC time and the clock-sync state. Show it; if the citizen signs
// with e.firma, they sign its Bytes().
func (l *Ledger) NewStatement(o StatementOpts) (*consent.Statement, error) {
	now := l.opts.Now().UTC()
	id, err := consent.NewID(now, l.opts.Rand)
	if err != nil {
		return nil, err
	}
	st := &consent.Statement{ID: id, KioskID: l.opts.KioskID, OperatorID: o.OperatorID, Time: now,
		Clock: l.opts.Clock(), Notice: o.Notice, Purposes: consent.SortTokens(o.Purposes),
		Requests: consent.SortTokens(o.Requests)}
	if _, err := st.Bytes(); err != nil {
		return nil, err
	}
	return st, nil
}

// Append checks the evidence, seals the personal fields to the archive key,
// signs the record, and commits record, Merkle hashes and a new signed
// checkpoint in one fsynced transaction. It returns only once the consent is
// durable; no capture may start before it returns without error.
func (l *Ledger) Append(ctx context.Context, st *consent.Statement, p *consent.Personal) (Receipt, error) {
	start := time.Now()
	rc, err := l.append(ctx, st, p)
	if err != nil {
		l.ctr.failures.Add(1)
		if errors.Is(err, ErrUnwritable) {
			l.ctr.unwritable.Add(1)
		}
		return rc, err
	}
	l.ctr.appends.Add(1)
	l.ctr.lastAppendNs.Store(int64(time.Since(start)))
	return rc, nil
}

func (l *Ledger) append(ctx context.Context, st *consent.Statement, p *consent.Personal) (Receipt, error) {
	if st.KioskID != l.opts.KioskID {
		return Receipt{}, fmt.Errorf("ledger: append %s: statement is for kiosk %q, this ledger is %q", st.ID, st.KioskID, l.opts.KioskID)
	}
	if l.opts.Signer == nil {
		return Receipt{}, ErrReadOnly
	}
	if l.opts.Archive == nil {
		return Receipt{}, fmt.Errorf("ledger: append %s: no archive public key configured", st.ID)
	}
	_, b, err := consent.NewRecord(st, p, &consent.RecordOpts{Archive: l.opts.Archive, Signer: l.opts.Signer, Roots: l.opts.Roots})
	if err != nil {
		return Receipt{}, fmt.Errorf("ledger: append: %w", err)
	}
	return l.appendRecord(ctx, st, b)
}

// appendRecord commits canonical record bytes.
func (l *Ledger) appendRecord(ctx context.Context, st *consent.Statement, b []byte) (Receipt, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return Receipt{}, ErrClosed
	}
	if l.w == nil {
		return Receipt{}, ErrReadOnly
	}
	tx, err := l.w.BeginTx(ctx, nil)
	if err != nil {
		return Receipt{}, fmt.Errorf("ledger: append %s: begin: %w: %w", st.ID, ErrUnwritable, err)
	}
	defer tx.Rollback()
	rc, err := l.insert(ctx, tx, st, b)
	if err != nil {
		return Receipt{}, err
	}
	if err := tx.Commit(); err != nil {
		return Receipt{}, fmt.Errorf("ledger: append %s: commit: %w: %w", st.ID, ErrUnwritable, err)
	}
	return rc, nil
}

func (l *Ledger) insert(ctx context.Context, tx *sql.Tx, st *consent.Statement, b []byte) (Receipt, error) {
	if !idAtTime(st.ID, st.Time) { // period exports find records by their id's time
		return Receipt{}, fmt.Errorf("ledger: append %s: the id's UUIDv7 time is not the statement's time (make statements with NewStatement)", st.ID)
	}
	n, _, err := readCheckpoint(ctx, tx)
	if err != nil {
		return Receipt{}, fmt.Errorf("ledger: append %s: %w", st.ID, err)
	}
	_, err = tx.ExecContext(ctx, "INSERT INTO records(idx, id, time, body) VALUES (?, ?, ?, ?)", n, st.ID[:], st.Time.UnixNano(), b)
	if err != nil {
		return Receipt{}, insertError(st.ID, err)
	}
	hr := hashReader(ctx, tx)
	hashes, err := tlog.StoredHashes(n, b, hr)
	if err != nil {
		return Receipt{}, fmt.Errorf("ledger: append %s: merkle hashes: %w", st.ID, err)
	}
	base := tlog.StoredHashIndex(0, n)
	for i, h := range hashes {
		if _, err := tx.ExecContext(ctx, "INSERT INTO hashes(idx, hash) VALUES (?, ?)", base+int64(i), h[:]); err != nil {
			return Receipt{}, fmt.Errorf("ledger: append %s: store hash: %w: %w", st.ID, ErrUnwritable, err)
		}
	}
	note, err := l.writeCheckpoint(ctx, tx, n+1, hr)
	if err != nil {
		return Receipt{}, fmt.Errorf("ledger: append %s: %w", st.ID, err)
	}
	return Receipt{ID: st.ID, Index: n, RecordHash: hashes[0], TreeSize: n + 1, Checkpoint: note}, nil
}

func insertError(id consent.ID, err error) error {
	if msg := err.Error(); strings.Contains(msg, "UNIQUE constraint failed: records.id") ||
		strings.Contains(msg, "consent record id already recorded") {
		return fmt.Errorf("ledger: append %s: %w", id, ErrDuplicate)
	}
	return fmt.Errorf("ledger: append %s: insert: %w: %w", id, ErrUnwritable, err)
}

// writeCheckpoint signs the tree of the given size and stores it.
func (l *Ledger) writeCheckpoint(ctx context.Context, tx *sql.Tx, size int64, hr tlog.HashReader) ([]byte, error) {
	root, err := tlog.TreeHash(size, hr)
	if err != nil {
		return nil, fmt.Errorf("tree hash: %w", err)
	}
	note, err := consent.SignCheckpoint(consent.Checkpoint{Origin: l.origin, Size: size, Root: root}, l.opts.Signer)
	if err != nil {
		return nil, err
	}
	q := "UPDATE checkpoint SET size = ?, note = ? WHERE one = 1"
	if size == 0 { // at creation; the trigger refuses a second insert
		q = "INSERT INTO checkpoint(size, note, one) VALUES (?, ?, 1)"
	}
	if _, err = tx.ExecContext(ctx, q, size, note); err != nil {
		return nil, fmt.Errorf("store checkpoint: %w: %w", ErrUnwritable, err)
	}
	return note, nil
}

// querier is what *sql.Tx and *sql.DB share.
type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// readCheckpoint returns the stored tree size and signed checkpoint.
func readCheckpoint(ctx context.Context, q querier) (int64, []byte, error) {
	var size int64
	var note []byte
	err := q.QueryRowContext(ctx, "SELECT size, note FROM checkpoint WHERE one = 1").Scan(&size, &note)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil, errors.New("no checkpoint row: the store is damaged; run `ventanillactl consent verify --db`")
	}
	if err != nil {
		return 0, nil, fmt.Errorf("read checkpoint: %w", err)
	}
	return size, note, nil
}

// hashReader reads stored Merkle hashes through q, in one query per call.
func hashReader(ctx context.Context, q querier) tlog.HashReaderFunc {
	return func(idx []int64) ([]tlog.Hash, error) {
		if len(idx) == 0 {
			return nil, nil
		}
		args := make([]any, len(idx))
		for i, x := range idx {
			args[i] = x
		}
		query := "SELECT idx, hash FROM hashes WHERE idx IN (?" + strings.Repeat(",?", len(idx)-1) + ")"
		rows, err := q.QueryContext(ctx, query, args...)
		if err != nil {
			return nil, fmt.Errorf("read stored hashes: %w", err)
		}
		defer rows.Close()
		got := make(map[int64]tlog.Hash, len(idx))
		for rows.Next() {
			var x int64
			var b []byte
			if err := rows.Scan(&x, &b); err != nil {
				return nil, fmt.Errorf("read stored hashes: %w", err)
			}
			if len(b) != tlog.HashSize {
				return nil, fmt.Errorf("stored hash %d is %d bytes", x, len(b))
			}
			got[x] = tlog.Hash(b)
		}
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("read stored hashes: %w", err)
		}
		out := make([]tlog.Hash, len(idx))
		for i, x := range idx {
			h, ok := got[x]
			if !ok {
				return nil, fmt.Errorf("stored hash %d missing", x)
			}
			out[i] = h
		}
		return out, nil
	}
}
