package ledger

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/ventanilla-mx/ventanilla/consent"
	"github.com/ventanilla-mx/ventanilla/consent/bundle"
	"golang.org/x/mod/sumdb/tlog"
)

// Selection chooses the records of an export: either IDs, or the period
// [Since, Until).
type Selection struct {
	IDs          []consent.ID
	Since, Until time.Time
}

func (s Selection) String() string {
	if len(s.IDs) > 0 {
		ids := make([]string, len(s.IDs))
		for i, id := range s.IDs {
			ids[i] = id.String()
		}
		return "ids " + strings.Join(ids, ",")
	}
	return fmt.Sprintf("period [%s, %s)", s.Since.UTC().Format(time.RFC3339), s.Until.UTC().Format(time.RFC3339))
}

// ExportOpts tune an export.
type ExportOpts struct {
	// Signer is the device key; it signs the bundle header (required: the
	// header's range, period and ids are what prove nothing was left out).
	Signer bundle.Signer
	// OldCheckpoint, if set, is a signed checkpoint of this log the auditor
	// holds; the bundle then carries a consistency proof from it.
	OldCheckpoint []byte
	// Progress, if set, is called after each record with the count written
	// and the total.
	Progress func(done, total int)
}

// row is one stored record.
type row struct {
	idx  int64
	body []byte
}

// Export writes a bundle of the selected records, each with its inclusion
// proof against the latest checkpoint, all read from one snapshot. It
// returns the number of records written.
func (l *Ledger) Export(ctx context.Context, w io.Writer, sel Selection, o *ExportOpts) (int, error) {
	if o == nil || o.Signer == nil || !o.Signer.Public().Equal(l.PublicKey()) {
		return 0, fmt.Errorf("ledger: export: the bundle header must be signed with this log's device key: %w", ErrMismatch)
	}
	tx, err := l.readTx(ctx)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	size, note, err := readCheckpoint(ctx, tx)
	if err != nil {
		return 0, fmt.Errorf("ledger: export: %w", err)
	}
	hr := hashReader(ctx, tx)
	h := &bundle.Header{Origin: l.origin, PublicKey: l.PublicKey(), Checkpoint: string(note),
		Created: l.opts.Now().UTC(), Selection: sel.String()}
	if h.Consistency, err = l.consistency(size, hr, o.OldCheckpoint); err != nil {
		return 0, err
	}
	rows, err := l.selectRows(ctx, tx, sel, h, size)
	if err != nil {
		return 0, err
	}
	return l.writeBundle(w, h, o.Signer, rows, size, hr, o.Progress)
}

func (l *Ledger) selectRows(ctx context.Context, tx *sql.Tx, sel Selection, h *bundle.Header, size int64) ([]row, error) {
	if len(sel.IDs) > 0 {
		for _, id := range sel.IDs {
			h.IDs = append(h.IDs, id.String())
		}
		h.IDs = slices.Compact(slices.Sorted(slices.Values(h.IDs)))
		return selectIDs(ctx, tx, sel.IDs)
	}
	if !sel.Since.Before(sel.Until) {
		return nil, fmt.Errorf("ledger: export: empty period %s", sel)
	}
	first, last, err := periodEnds(ctx, tx, sel)
	if err != nil {
		return nil, fmt.Errorf("ledger: export: %w", err)
	}
	if !first.Valid {
		return nil, fmt.Errorf("ledger: export: no consent in %s: %w", sel, ErrNotFound)
	}
	// Every record between the first and last match goes in, so the
	// verifier can check the range has no gap, and so do the neighbours
	// just outside it: their times prove where the period starts and ends.
	h.Range = &bundle.Range{First: first.Int64, Last: last.Int64}
	h.Period = &bundle.Period{Since: sel.Since.UTC(), Until: sel.Until.UTC()}
	return selectRange(ctx, tx, max(first.Int64-1, 0), min(last.Int64+1, size-1))
}

// periodEnds returns the first and last leaf index whose statement time
// is in sel's period. Without the records_time index (schema 4) the id
// index narrows the search: an id is a UUIDv7 of its statement's time.
func periodEnds(ctx context.Context, tx *sql.Tx, sel Selection) (first, last sql.NullInt64, err error) {
	var timeIndex int
	if err = tx.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = 'records_time'").Scan(&timeIndex); err != nil {
		return first, last, err
	}
	since, until := sel.Since.UnixNano(), sel.Until.UnixNano()
	if timeIndex > 0 {
		err = tx.QueryRowContext(ctx, "SELECT min(idx), max(idx) FROM records WHERE time >= ? AND time < ?", since, until).Scan(&first, &last)
		return first, last, err
	}
	lo, hi := idFloor(sel.Since.UnixMilli()), idFloor(sel.Until.UnixMilli()+1)
	err = tx.QueryRowContext(ctx, "SELECT min(idx), max(idx) FROM records WHERE id >= ? AND id < ? AND time >= ? AND time < ?",
		lo[:], hi[:], since, until).Scan(&first, &last)
	return first, last, err
}

// idFloor is the smallest UUIDv7 of millisecond ms (and of any later one
// compared as bytes, since the timestamp leads, big-endian).
func idFloor(ms int64) (id consent.ID) {
	var ts [8]byte
	binary.BigEndian.PutUint64(ts[:], uint64(max(ms, 0)))
	copy(id[:6], ts[2:])
	return id
}

func selectIDs(ctx context.Context, tx *sql.Tx, ids []consent.ID) ([]row, error) {
	var rows []row
	for _, id := range ids {
		idx, body, err := lookup(ctx, tx, id)
		if err != nil {
			return nil, fmt.Errorf("ledger: export: %w", err)
		}
		rows = append(rows, row{idx, body})
	}
	slices.SortFunc(rows, func(a, b row) int { return cmp.Compare(a.idx, b.idx) })
	return slices.CompactFunc(rows, func(a, b row) bool { return a.idx == b.idx }), nil
}

func selectRange(ctx context.Context, tx *sql.Tx, first, last int64) ([]row, error) {
	rs, err := tx.QueryContext(ctx, "SELECT idx, body FROM records WHERE idx BETWEEN ? AND ? ORDER BY idx", first, last)
	if err != nil {
		return nil, fmt.Errorf("ledger: export: %w", err)
	}
	defer rs.Close()
	var rows []row
	for rs.Next() {
		var r row
		if err := rs.Scan(&r.idx, &r.body); err != nil {
			return nil, fmt.Errorf("ledger: export: %w", err)
		}
		rows = append(rows, r)
	}
	return rows, rs.Err()
}

func (l *Ledger) writeBundle(w io.Writer, h *bundle.Header, s bundle.Signer, rows []row, size int64, hr tlog.HashReader, progress func(int, int)) (int, error) {
	bw, err := bundle.NewWriter(w, h, s)
	if err != nil {
		return 0, fmt.Errorf("ledger: export: %w", err)
	}
	for i, r := range rows {
		p, err := tlog.ProveRecord(size, r.idx, hr)
		if err != nil {
			return i, fmt.Errorf("ledger: export: proof for index %d: %w", r.idx, err)
		}
		if err := bw.Add(&bundle.Entry{Index: r.idx, Record: r.body, Proof: bundle.ProofHashes(p)}); err != nil {
			return i, fmt.Errorf("ledger: export: %w", err)
		}
		if progress != nil {
			progress(i+1, len(rows))
		}
	}
	if err := bw.Close(); err != nil {
		return len(rows), fmt.Errorf("ledger: export: %w", err)
	}
	return len(rows), nil
}

// ErrFork means an auditor's old checkpoint is not a prefix of this log:
// the log was rewritten. Not retryable; it is evidence.
var ErrFork = errors.New("ledger: the given checkpoint is not a prefix of this log (log rewritten or another kiosk's checkpoint)")

// consistency proves the current tree extends an old checkpoint.
func (l *Ledger) consistency(size int64, hr tlog.HashReader, oldNote []byte) (*bundle.Consistency, error) {
	if oldNote == nil {
		return nil, nil
	}
	old, err := consent.OpenCheckpoint(oldNote, l.origin, l.PublicKey())
	if err != nil {
		return nil, fmt.Errorf("ledger: export: old checkpoint: %w", err)
	}
	if old.Size > size {
		return nil, fmt.Errorf("ledger: export: old checkpoint has size %d, the log only %d: %w", old.Size, size, ErrFork)
	}
	root, err := tlog.TreeHash(old.Size, hr)
	if err != nil {
		return nil, fmt.Errorf("ledger: export: tree hash at %d: %w", old.Size, err)
	}
	if root != old.Root {
		return nil, fmt.Errorf("ledger: export: tree of size %d: %w", old.Size, ErrFork)
	}
	p, err := tlog.ProveTree(size, old.Size, hr)
	if err != nil {
		return nil, fmt.Errorf("ledger: export: consistency proof: %w", err)
	}
	return &bundle.Consistency{OldCheckpoint: string(oldNote), Proof: bundle.ProofHashes(p)}, nil
}
