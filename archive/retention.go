package archive

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Erase removes, at the end of retention, the sealed payloads (record bytes,
// which hold the sealed personal fields, and identity bindings) of every
// leaf whose statement time is before cutoff, and notes each erasure. Leaf
// hashes, tree hashes, checkpoints and the clear index columns stay, so
// every log, checkpoint and inclusion proof still verifies. It runs as the
// retention role (conn), the only role with DELETE, and only on payloads.
func Erase(ctx context.Context, conn *pgx.Conn, cutoff time.Time, reason string) (int64, error) {
	tx, err := conn.Begin(ctx)
	if err != nil {
		return 0, fmt.Errorf("archive: erase: %w", err)
	}
	defer tx.Rollback(ctx)
	tag, err := tx.Exec(ctx, `INSERT INTO erasures (kiosk_id, idx, reason)
		SELECT l.kiosk_id, l.idx, $2 FROM leaves l JOIN payloads p USING (kiosk_id, idx) WHERE l.stmt_time < $1`, cutoff, reason)
	if err != nil {
		return 0, fmt.Errorf("archive: erase: %w", err)
	}
	stmts := []string{
		`DELETE FROM binding_payloads bp USING leaves l WHERE bp.kiosk_id = l.kiosk_id AND bp.record_hash = l.leaf_hash AND l.stmt_time < $1`,
		`DELETE FROM payloads p USING leaves l WHERE p.kiosk_id = l.kiosk_id AND p.idx = l.idx AND l.stmt_time < $1`,
	}
	for _, q := range stmts {
		if _, err := tx.Exec(ctx, q, cutoff); err != nil {
			return 0, fmt.Errorf("archive: erase: %w", err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return 0, fmt.Errorf("archive: erase: %w", err)
	}
	return tag.RowsAffected(), nil
}
