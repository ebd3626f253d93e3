package ledger

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/ventanilla-mx/ventanilla/consent"
)

// ErrAlreadyBound: the record has a binding already (the first one made
// stands; a binding is never replaced). Not retryable, and not a failure
// for a caller that only needs the record to be bound.
var ErrAlreadyBound = errors.New("ledger: the consent is already bound")

// Bind makes the identity binding of a recorded consent (docs/consent.md,
// "Identity binding"): outcome, the lookup commitments of h's credentials,
// and h sealed to the archive key, signed with the device key, and commits
// it. h is lent for the call: its values are read into the sealing buffer
// (Opts.SealAlloc, locked memory on the kiosk) and never kept or logged.
// It returns once the binding is durable; ErrAlreadyBound when the record
// was bound before.
func (l *Ledger) Bind(ctx context.Context, id consent.ID, outcome consent.Outcome, h *consent.Holder) error {
	if l.opts.Signer == nil || l.w == nil {
		return ErrReadOnly
	}
	if l.opts.Archive == nil {
		return fmt.Errorf("ledger: bind %s: no archive public key configured", id)
	}
	idx, body, err := l.Record(ctx, id)
	if err != nil {
		return err
	}
	if bound, err := l.bound(ctx, idx); err != nil || bound {
		return errors.Join(err, boundErr(bound, id))
	}
	r, err := consent.ParseRecord(body)
	if err != nil {
		return fmt.Errorf("ledger: bind %s: %w", id, err)
	}
	b, err := consent.NewHolderBinding(body, r, outcome, h, l.opts.Now(), &consent.BindingOpts{Archive: l.opts.Archive,
		LookupKey: l.opts.LookupKey, Signer: l.opts.Signer, Alloc: l.opts.SealAlloc})
	if err != nil {
		return fmt.Errorf("ledger: bind %s: %w", id, err)
	}
	return l.insertBinding(ctx, id, idx, b)
}

func boundErr(bound bool, id consent.ID) error {
	if bound {
		return fmt.Errorf("ledger: bind %s: %w", id, ErrAlreadyBound)
	}
	return nil
}

func (l *Ledger) bound(ctx context.Context, idx int64) (bool, error) {
	var n int
	if err := l.r.QueryRowContext(ctx, "SELECT count(*) FROM bindings WHERE idx = ?", idx).Scan(&n); err != nil {
		return false, fmt.Errorf("ledger: bindings: %w", err)
	}
	return n > 0, nil
}

func (l *Ledger) insertBinding(ctx context.Context, id consent.ID, idx int64, b []byte) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return ErrClosed
	}
	tx, err := l.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("ledger: bind %s: begin: %w: %w", id, ErrUnwritable, err)
	}
	defer tx.Rollback()
	var held int
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM bindings WHERE idx = ?", idx).Scan(&held); err != nil {
		return fmt.Errorf("ledger: bind %s: %w", id, err)
	}
	if held > 0 { // bound meanwhile (under the writer lock now)
		return boundErr(true, id)
	}
	_, err = tx.ExecContext(ctx, "INSERT INTO bindings(seq, idx, body) VALUES ((SELECT coalesce(max(seq), 0) + 1 FROM bindings), ?, ?)", idx, b)
	if err != nil {
		return fmt.Errorf("ledger: bind %s: %w", id, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("ledger: bind %s: commit: %w: %w", id, ErrUnwritable, err)
	}
	l.ctr.bindings.Add(1)
	return nil
}

// Bindings returns up to n bindings after sequence number from (the
// sender's binding cursor), in the order made, with the leaf index each
// names and the number of bindings in the store.
func (l *Ledger) Bindings(ctx context.Context, from int64, n int) (bodies [][]byte, idx []int64, total int64, err error) {
	tx, err := l.readTx(ctx)
	if err != nil {
		return nil, nil, 0, err
	}
	defer tx.Rollback()
	if err := tx.QueryRowContext(ctx, "SELECT coalesce(max(seq), 0) FROM bindings").Scan(&total); err != nil {
		return nil, nil, 0, fmt.Errorf("ledger: bindings: %w", err)
	}
	rows, err := tx.QueryContext(ctx, "SELECT seq, idx, body FROM bindings WHERE seq > ? ORDER BY seq LIMIT ?", from, n)
	if err != nil {
		return nil, nil, 0, fmt.Errorf("ledger: bindings: %w", err)
	}
	defer rows.Close()
	for next := from + 1; rows.Next(); next++ {
		var seq, x int64
		var body []byte
		if err := rows.Scan(&seq, &x, &body); err != nil {
			return nil, nil, 0, fmt.Errorf("ledger: bindings: %w", err)
		}
		if seq != next {
			return nil, nil, 0, fmt.Errorf("ledger: bindings: binding %d missing", next)
		}
		bodies, idx = append(bodies, body), append(idx, x)
	}
	return bodies, idx, total, rows.Err()
}

// Binding returns the binding of a recorded consent, or ErrNotFound.
func (l *Ledger) Binding(ctx context.Context, id consent.ID) ([]byte, error) {
	var b []byte
	err := l.r.QueryRowContext(ctx, "SELECT b.body FROM bindings b JOIN records r ON r.idx = b.idx WHERE r.id = ?", id[:]).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("ledger: binding of %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("ledger: binding of %s: %w", id, err)
	}
	return b, nil
}
