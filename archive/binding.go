package archive

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/ventanilla-mx/ventanilla/consent"
)

// bindings verifies and stores the pushed identity bindings. Each must name
// a leaf held (or pushed now) for this kiosk. A binding already held is
// skipped when identical; a different one for the same record is refused.
func (in *ingest) bindings(ctx context.Context, p *Push) error {
	for _, raw := range p.Bindings {
		b, err := consent.VerifyBinding(raw, in.pub)
		if err != nil || b.KioskID != in.kiosk {
			return fmt.Errorf("%w: a binding does not verify for this kiosk", ErrRejected)
		}
		if err := in.binding(ctx, b, raw); err != nil {
			return err
		}
	}
	return nil
}

func (in *ingest) binding(ctx context.Context, b *consent.Binding, raw []byte) error {
	var idx int64
	err := in.tx.QueryRow(ctx, `SELECT idx FROM leaves WHERE kiosk_id = $1 AND leaf_hash = $2`, in.kiosk, b.RecordHash[:]).Scan(&idx)
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("%w: binding for record %s names no held leaf", ErrRejected, b.RecordID)
	}
	if err != nil {
		return fmt.Errorf("archive: binding leaf: %w", err)
	}
	lookups := make([][]byte, len(b.Lookups))
	for i := range b.Lookups {
		lookups[i] = b.Lookups[i][:]
	}
	tag, err := in.tx.Exec(ctx, `INSERT INTO bindings (kiosk_id, record_hash, idx, outcome, bound_at, lookups)
		VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`, in.kiosk, b.RecordHash[:], idx, int16(b.Outcome), b.Time, lookups)
	if err != nil {
		return fmt.Errorf("archive: store binding: %w", err)
	}
	if tag.RowsAffected() == 1 {
		_, err = in.tx.Exec(ctx, `INSERT INTO binding_payloads (kiosk_id, record_hash, binding) VALUES ($1, $2, $3)`, in.kiosk, b.RecordHash[:], raw)
		if err != nil {
			return fmt.Errorf("archive: store binding: %w", err)
		}
		in.bound++
		return nil
	}
	var held []byte
	err = in.tx.QueryRow(ctx, `SELECT binding FROM binding_payloads WHERE kiosk_id = $1 AND record_hash = $2`, in.kiosk, b.RecordHash[:]).Scan(&held)
	if err == nil && string(held) != string(raw) {
		return fmt.Errorf("%w: record %s already has another binding", ErrRejected, b.RecordID)
	}
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("archive: read binding: %w", err)
	}
	return nil
}
