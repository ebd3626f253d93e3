package archive

import (
	"context"
	"fmt"
	"io"
	"slices"

	"github.com/jackc/pgx/v5"
	"github.com/ventanilla-mx/ventanilla/archive/evidence"
	"golang.org/x/mod/sumdb/tlog"
)

// exportColumns gives one row per leaf (DISTINCT ON): with several
// bindings of a record (one per verification sent under it), the one
// carrying the lookup asked for, else the latest.
const exportColumns = `SELECT DISTINCT ON (l.kiosk_id, l.idx) l.kiosk_id, l.idx, l.leaf_hash, p.record, bp.binding
	FROM leaves l
	LEFT JOIN payloads p ON p.kiosk_id = l.kiosk_id AND p.idx = l.idx
	LEFT JOIN bindings b ON b.kiosk_id = l.kiosk_id AND b.record_hash = l.leaf_hash
	LEFT JOIN binding_payloads bp ON bp.kiosk_id = b.kiosk_id AND bp.binding_hash = b.binding_hash `

// Export writes the evidence bundle for sel: every record naming
// sel.Request, or every record whose binding carries one of sel's lookup
// commitments (one per lookup key held) with a statement time in
// [Since, Until). It opens no sealed box.
func (a *Archive) Export(ctx context.Context, sel evidence.Selection, w io.Writer) (int, error) {
	tx, err := a.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return 0, fmt.Errorf("archive: export: %w", err)
	}
	defer tx.Rollback(ctx)
	items, err := selectItems(ctx, tx, sel)
	if err != nil {
		return 0, err
	}
	h := &evidence.Header{Archive: a.name, ArchiveKey: a.pub, Created: a.now().UTC(), Selection: sel}
	if err := addProofs(ctx, tx, h, items); err != nil {
		return 0, err
	}
	return len(items), evidence.Write(w, h, items, a.signer)
}

func selectItems(ctx context.Context, tx pgx.Tx, sel evidence.Selection) ([]evidence.Item, error) {
	var rows pgx.Rows
	var err error
	lookups := sel.Commitments()
	switch {
	case sel.Request != "" && len(lookups) == 0:
		rows, err = tx.Query(ctx, exportColumns+`WHERE l.requests @> ARRAY[$1]::text[] ORDER BY l.kiosk_id, l.idx, b.bound_at DESC`, sel.Request)
	case sel.Request == "" && commitments(lookups) && sel.Since != nil && sel.Until != nil:
		rows, err = tx.Query(ctx, exportColumns+`WHERE b.lookups && $1::bytea[] AND l.stmt_time >= $2 AND l.stmt_time < $3
			ORDER BY l.kiosk_id, l.idx, b.bound_at DESC`, lookups, *sel.Since, *sel.Until)
	default:
		return nil, fmt.Errorf("archive: export: name a request id, or a credential with a period")
	}
	if err != nil {
		return nil, fmt.Errorf("archive: export: %w", err)
	}
	items, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (evidence.Item, error) {
		var it evidence.Item
		err := r.Scan(&it.Kiosk, &it.Index, &it.LeafHash, &it.Record, &it.Binding)
		return it, err
	})
	if err != nil {
		return nil, fmt.Errorf("archive: export: %w", err)
	}
	return items, nil
}

// commitments: at least one lookup commitment, each of 32 bytes.
func commitments(ls [][]byte) bool {
	return len(ls) > 0 && !slices.ContainsFunc(ls, func(l []byte) bool { return len(l) != 32 })
}

// addProofs puts each kiosk's latest countersigned checkpoint in the header
// and an inclusion proof against it in each item.
func addProofs(ctx context.Context, tx pgx.Tx, h *evidence.Header, items []evidence.Item) error {
	sizes := map[string]int64{}
	for i := range items {
		it := &items[i]
		size, ok := sizes[it.Kiosk]
		if !ok {
			k, err := kioskCheckpoint(ctx, tx, it.Kiosk)
			if err != nil {
				return err
			}
			h.Kiosks = append(h.Kiosks, k.Kiosk)
			size, sizes[it.Kiosk] = k.size, k.size
		}
		hr := tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) { return orderedHashes(ctx, tx, it.Kiosk, idx) })
		proof, err := tlog.ProveRecord(size, it.Index, hr)
		if err != nil {
			return fmt.Errorf("archive: export: proof for %s/%d: %w", it.Kiosk, it.Index, err)
		}
		for _, p := range proof {
			it.Proof = append(it.Proof, p[:])
		}
	}
	return nil
}

type heldCheckpoint struct {
	evidence.Kiosk
	size int64
}

func kioskCheckpoint(ctx context.Context, tx pgx.Tx, kiosk string) (heldCheckpoint, error) {
	k := heldCheckpoint{Kiosk: evidence.Kiosk{ID: kiosk}}
	err := tx.QueryRow(ctx, `SELECT k.public_key, c.cosigned, c.size FROM kiosks k JOIN checkpoints c USING (kiosk_id)
		WHERE kiosk_id = $1 ORDER BY c.size DESC LIMIT 1`, kiosk).Scan(&k.PublicKey, &k.Checkpoint, &k.size)
	if err != nil {
		return k, fmt.Errorf("archive: export: checkpoint of %s: %w", kiosk, err)
	}
	return k, nil
}

func orderedHashes(ctx context.Context, q querier, kiosk string, idx []int64) ([]tlog.Hash, error) {
	got, err := readHashes(ctx, q, kiosk, idx)
	if err != nil {
		return nil, err
	}
	out := make([]tlog.Hash, len(idx))
	for i, x := range idx {
		h, ok := got[x]
		if !ok {
			return nil, fmt.Errorf("archive: stored hash %d of %s missing", x, kiosk)
		}
		out[i] = h
	}
	return out, nil
}
