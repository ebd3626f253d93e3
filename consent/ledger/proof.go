package ledger

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/ventanilla-mx/ventanilla/consent"
	"golang.org/x/mod/sumdb/tlog"
)

// Proof is what a verification request carries about its consent: the
// record hash, its leaf index, the latest signed checkpoint, and the
// inclusion proof against that checkpoint's tree. The relying party checks
// it with consent.VerifyInclusion (tlog.CheckRecord underneath).
type Proof struct {
	ID         consent.ID
	Record     []byte // canonical record bytes (travel to INE, which checks the record names the request)
	Index      int64
	RecordHash tlog.Hash
	TreeSize   int64
	Checkpoint []byte // signed note
	Hashes     tlog.RecordProof
}

// readTx starts a read-only snapshot transaction.
func (l *Ledger) readTx(ctx context.Context) (*sql.Tx, error) {
	tx, err := l.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("ledger: read: %w", err)
	}
	return tx, nil
}

// Proof returns the inclusion proof of record id against the latest tree.
func (l *Ledger) Proof(ctx context.Context, id consent.ID) (*Proof, error) {
	tx, err := l.readTx(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	idx, body, err := lookup(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	size, note, err := readCheckpoint(ctx, tx)
	if err != nil {
		return nil, fmt.Errorf("ledger: proof %s: %w", id, err)
	}
	hs, err := tlog.ProveRecord(size, idx, hashReader(ctx, tx))
	if err != nil {
		return nil, fmt.Errorf("ledger: proof %s (index %d, tree %d): %w", id, idx, size, err)
	}
	l.ctr.proofs.Add(1)
	return &Proof{ID: id, Record: body, Index: idx, RecordHash: tlog.RecordHash(body), TreeSize: size, Checkpoint: note, Hashes: hs}, nil
}

// Lookup returns the receipt of a recorded consent, against the latest
// tree (use it after ErrDuplicate or an Append whose outcome is unknown).
func (l *Ledger) Lookup(ctx context.Context, id consent.ID) (Receipt, error) {
	p, err := l.Proof(ctx, id)
	if err != nil {
		return Receipt{}, err
	}
	return Receipt{ID: id, Index: p.Index, RecordHash: p.RecordHash, TreeSize: p.TreeSize, Checkpoint: p.Checkpoint}, nil
}

// Record returns the canonical bytes of a recorded consent.
func (l *Ledger) Record(ctx context.Context, id consent.ID) (index int64, body []byte, err error) {
	tx, err := l.readTx(ctx)
	if err != nil {
		return 0, nil, err
	}
	defer tx.Rollback()
	return lookup(ctx, tx, id)
}

func lookup(ctx context.Context, q querier, id consent.ID) (int64, []byte, error) {
	var idx int64
	var body []byte
	err := q.QueryRowContext(ctx, "SELECT idx, body FROM records WHERE id = ?", id[:]).Scan(&idx, &body)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil, fmt.Errorf("ledger: record %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return 0, nil, fmt.Errorf("ledger: record %s: %w", id, err)
	}
	return idx, body, nil
}

// Checkpoint returns the latest signed checkpoint and its tree size.
func (l *Ledger) Checkpoint(ctx context.Context) (size int64, note []byte, err error) {
	size, note, err = readCheckpoint(ctx, l.r)
	if err != nil {
		return 0, nil, fmt.Errorf("ledger: %w", err)
	}
	return size, note, nil
}

// Range returns up to n records from leaf index from on, in index order,
// with the latest checkpoint read in the same snapshot (for the archive
// sync sender: the records and the tree size they belong to).
func (l *Ledger) Range(ctx context.Context, from int64, n int) (bodies [][]byte, size int64, note []byte, err error) {
	tx, err := l.readTx(ctx)
	if err != nil {
		return nil, 0, nil, err
	}
	defer tx.Rollback()
	if size, note, err = readCheckpoint(ctx, tx); err != nil {
		return nil, 0, nil, fmt.Errorf("ledger: range: %w", err)
	}
	rows, err := tx.QueryContext(ctx, "SELECT idx, body FROM records WHERE idx >= ? AND idx < ? ORDER BY idx", from, min(size, from+int64(n)))
	if err != nil {
		return nil, 0, nil, fmt.Errorf("ledger: range: %w", err)
	}
	defer rows.Close()
	for next := from; rows.Next(); next++ {
		var idx int64
		var body []byte
		if err := rows.Scan(&idx, &body); err != nil {
			return nil, 0, nil, fmt.Errorf("ledger: range: %w", err)
		}
		if idx != next {
			return nil, 0, nil, fmt.Errorf("ledger: range: leaf %d missing", next)
		}
		bodies = append(bodies, body)
	}
	return bodies, size, note, rows.Err()
}
