package ledger

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/ventanilla-mx/ventanilla/consent"
	"github.com/ventanilla-mx/ventanilla/consent/bundle"
	"golang.org/x/mod/sumdb/tlog"
)

// AuditError lists what a self-test or audit found wrong. The store must
// then be treated as evidence, not repaired: stop appending and call a
// technician.
type AuditError struct {
	Problems []bundle.Problem
}

func (e *AuditError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "ledger: %d problem(s) in the consent store:", len(e.Problems))
	for _, p := range e.Problems {
		b.WriteString("\n  " + p.String())
	}
	return b.String()
}

// audit collects problems.
type audit struct {
	l        *Ledger
	ctx      context.Context
	tx       *sql.Tx
	hr       tlog.HashReaderFunc
	cp       consent.Checkpoint
	problems []bundle.Problem
}

func (a *audit) fail(where, format string, args ...any) {
	a.problems = append(a.problems, bundle.Problem{Where: where, What: fmt.Sprintf(format, args...)})
}

func (a *audit) result() error {
	if len(a.problems) == 0 {
		return nil
	}
	return &AuditError{Problems: a.problems}
}

func (l *Ledger) newAudit(ctx context.Context) (*audit, error) {
	tx, err := l.readTx(ctx)
	if err != nil {
		return nil, err
	}
	return &audit{l: l, ctx: ctx, tx: tx, hr: hashReader(ctx, tx)}, nil
}

// SelfTest is the quick check for startup and the diagnostics API, O(log n):
// SQLite quick_check, the checkpoint's signature and origin, the checkpoint
// size against the stored records and hashes, the root recomputed from
// stored hashes, and the newest record's signature and inclusion proof. It
// returns an *AuditError listing what failed, or another error if the store
// cannot be read.
func (l *Ledger) SelfTest(ctx context.Context) error {
	a, err := l.newAudit(ctx)
	if err != nil {
		return err
	}
	defer a.tx.Rollback()
	a.pragmaCheck("quick_check")
	if !a.checkpoint() {
		return a.result()
	}
	a.sizes()
	if a.cp.Size > 0 {
		a.newest()
	}
	return a.result()
}

func (a *audit) pragmaCheck(which string) {
	rows, err := a.tx.QueryContext(a.ctx, "PRAGMA "+which)
	if err != nil {
		a.fail("sqlite "+which, "%v", err)
		return
	}
	defer rows.Close()
	var msgs []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			a.fail("sqlite "+which, "%v", err)
			return
		}
		msgs = append(msgs, s)
	}
	if err := rows.Err(); err != nil || len(msgs) != 1 || msgs[0] != "ok" {
		a.fail("sqlite "+which, "%s %v", strings.Join(msgs, "; "), err)
	}
}

func (a *audit) checkpoint() bool {
	size, note, err := readCheckpoint(a.ctx, a.tx)
	if err != nil {
		a.fail("checkpoint", "%v", err)
		return false
	}
	cp, err := consent.OpenCheckpoint(note, a.l.origin, a.l.PublicKey())
	if err != nil {
		a.fail("checkpoint", "%v", err)
		return false
	}
	if cp.Size != size {
		a.fail("checkpoint", "signed size %d, stored size column %d", cp.Size, size)
	}
	a.cp = cp
	root, err := tlog.TreeHash(cp.Size, a.hr)
	switch {
	case err != nil:
		a.fail("checkpoint", "cannot recompute the root of tree size %d from stored hashes: %v", cp.Size, err)
	case root != cp.Root:
		a.fail("checkpoint", "signed root differs from the root of the stored hashes at size %d", cp.Size)
	}
	return true
}

// sizes checks records and hashes stop exactly where the checkpoint says.
func (a *audit) sizes() {
	var records, hashes sql.NullInt64
	err := a.tx.QueryRowContext(a.ctx, "SELECT (SELECT max(idx) FROM records), (SELECT max(idx) FROM hashes)").Scan(&records, &hashes)
	if err != nil {
		a.fail("store", "%v", err)
		return
	}
	if n := records.Int64 + 1; !records.Valid && a.cp.Size != 0 || records.Valid && n != a.cp.Size {
		a.fail("checkpoint", "covers %d records, the store ends at index %d (records added or removed outside the ledger)", a.cp.Size, records.Int64)
	}
	if want := tlog.StoredHashCount(a.cp.Size); hashes.Int64+1 != want && (hashes.Valid || want != 0) {
		a.fail("hashes", "store holds hashes up to %d, a tree of size %d needs exactly %d", hashes.Int64, a.cp.Size, want)
	}
}

// newest checks the last record end to end.
func (a *audit) newest() {
	idx := a.cp.Size - 1
	var body []byte
	if err := a.tx.QueryRowContext(a.ctx, "SELECT body FROM records WHERE idx = ?", idx).Scan(&body); err != nil {
		a.fail(fmt.Sprintf("record at index %d", idx), "newest record unreadable: %v", err)
		return
	}
	where := a.record(idx, body)
	p, err := tlog.ProveRecord(a.cp.Size, idx, a.hr)
	if err == nil {
		err = tlog.CheckRecord(p, a.cp.Size, a.cp.Root, idx, tlog.RecordHash(body))
	}
	if err != nil {
		a.fail(where+" inclusion proof", "%v", err)
	}
}

// record checks one record's encoding, signature and kiosk, and returns a
// description of where it is.
func (a *audit) record(idx int64, body []byte) string {
	where := fmt.Sprintf("record at index %d", idx)
	r, err := consent.VerifyRecord(body, a.l.PublicKey())
	if r != nil {
		where = fmt.Sprintf("record %s (index %d)", r.ID, idx)
	}
	if err != nil {
		a.fail(where, "%v", err)
	}
	if r != nil && r.KioskID != a.l.opts.KioskID {
		a.fail(where, "kiosk %q in a ledger of kiosk %q", r.KioskID, a.l.opts.KioskID)
	}
	return where
}

// Audit checks the whole store, O(n): SQLite integrity_check, every record
// (encoding, device signature, kiosk, id and time columns), that indexes
// have no gap, that every stored Merkle hash follows from the records, and
// that the signed checkpoint commits exactly them. progress, if set, is
// called with records done and total.
func (l *Ledger) Audit(ctx context.Context, progress func(done, total int64)) error {
	a, err := l.newAudit(ctx)
	if err != nil {
		return err
	}
	defer a.tx.Rollback()
	a.pragmaCheck("integrity_check")
	if !a.checkpoint() {
		return a.result()
	}
	a.sizes()
	if err := a.allRecords(progress); err != nil {
		return err
	}
	if err := a.allBindings(); err != nil {
		return err
	}
	return a.result()
}

// allBindings checks every identity binding (schema 3): its encoding,
// device signature and kiosk, and that it names the record at its index.
// A store of an older schema (read-only open) has none to check.
func (a *audit) allBindings() error {
	var tables int
	if err := a.tx.QueryRowContext(a.ctx, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'bindings'").Scan(&tables); err != nil || tables == 0 {
		return err
	}
	rows, err := a.tx.QueryContext(a.ctx, "SELECT b.seq, b.idx, b.body, r.body FROM bindings b LEFT JOIN records r ON r.idx = b.idx ORDER BY b.seq")
	if err != nil {
		return fmt.Errorf("ledger: audit bindings: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var seq, idx int64
		var body, rec []byte
		if err := rows.Scan(&seq, &idx, &body, &rec); err != nil {
			return fmt.Errorf("ledger: audit bindings: %w", err)
		}
		where := fmt.Sprintf("binding %d (index %d)", seq, idx)
		b, err := consent.VerifyBinding(body, a.l.pub)
		switch {
		case err != nil:
			a.fail(where, "%v", err)
		case b.KioskID != a.l.opts.KioskID:
			a.fail(where, "names kiosk %q", b.KioskID)
		case rec == nil || b.RecordHash != consent.LeafHash(rec):
			a.fail(where, "does not name the record at its index")
		}
	}
	return rows.Err()
}

func (a *audit) allRecords(progress func(done, total int64)) error {
	rows, err := a.tx.QueryContext(a.ctx, "SELECT idx, id, time, body FROM records ORDER BY idx")
	if err != nil {
		return fmt.Errorf("ledger: audit: %w", err)
	}
	defer rows.Close()
	next := int64(0)
	for rows.Next() {
		var idx, t int64
		var id, body []byte
		if err := rows.Scan(&idx, &id, &t, &body); err != nil {
			return fmt.Errorf("ledger: audit: %w", err)
		}
		if idx != next {
			a.fail(fmt.Sprintf("index %d", next), "records %d..%d missing (deleted behind the ledger's back?)", next, idx-1)
		}
		next = idx + 1
		a.oneRecord(idx, id, t, body)
		if progress != nil {
			progress(next, a.cp.Size)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("ledger: audit: %w", err)
	}
	return nil
}

func (a *audit) oneRecord(idx int64, id []byte, t int64, body []byte) {
	where := a.record(idx, body)
	if r, err := consent.ParseRecord(body); err == nil && (!bytes.Equal(r.ID[:], id) || r.Time.UnixNano() != t) {
		a.fail(where, "id or time column differs from the signed record")
	}
	want, err := tlog.StoredHashes(idx, body, a.hr)
	if err != nil {
		a.fail(where+" merkle hashes", "%v", err)
		return
	}
	base := tlog.StoredHashIndex(0, idx)
	for i, h := range want {
		got, err := a.hr([]int64{base + int64(i)})
		if err != nil || got[0] != h {
			a.fail(where+" merkle hashes", "stored hash %d does not follow from the record (record or hash altered, or records reordered)", base+int64(i))
			return
		}
	}
}

// IsAuditError reports whether err lists store problems (as opposed to the
// store being unreadable).
func IsAuditError(err error) bool {
	var ae *AuditError
	return errors.As(err, &ae)
}
