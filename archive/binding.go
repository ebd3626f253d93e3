package archive

import (
	"context"
	"crypto/sha256"
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
	var requests int
	err := in.tx.QueryRow(ctx, `SELECT idx, cardinality(requests) FROM leaves WHERE kiosk_id = $1 AND leaf_hash = $2`,
		in.kiosk, b.RecordHash[:]).Scan(&idx, &requests)
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("%w: binding for record %s names no held leaf", ErrRejected, b.RecordID)
	}
	if err != nil {
		return fmt.Errorf("archive: binding leaf: %w", err)
	}
	h := sha256.Sum256(raw)
	if err := in.bindingFits(ctx, b, h[:], requests); err != nil {
		return err
	}
	lookups := make([][]byte, len(b.Lookups))
	for i := range b.Lookups {
		lookups[i] = b.Lookups[i][:]
	}
	tag, err := in.tx.Exec(ctx, `INSERT INTO bindings (kiosk_id, binding_hash, record_hash, idx, outcome, bound_at, lookups)
		VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`, in.kiosk, h[:], b.RecordHash[:], idx, int16(b.Outcome), b.Time, lookups)
	if err != nil {
		return fmt.Errorf("archive: store binding: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return nil // held already: a repeated push
	}
	_, err = in.tx.Exec(ctx, `INSERT INTO binding_payloads (kiosk_id, binding_hash, record_hash, binding) VALUES ($1, $2, $3, $4)`,
		in.kiosk, h[:], b.RecordHash[:], raw)
	if err != nil {
		return fmt.Errorf("archive: store binding: %w", err)
	}
	in.bound++
	return nil
}

// bindingFits refuses a binding that contradicts those held for its
// record: a cancelled one beside any other, a verified one beside a
// cancelled one, or more verified ones than the record names request ids
// (each verification sent uses one).
func (in *ingest) bindingFits(ctx context.Context, b *consent.Binding, h []byte, requests int) error {
	var same bool
	var verified, cancelled int
	err := in.tx.QueryRow(ctx, `SELECT coalesce(bool_or(binding_hash = $3), false),
		count(*) FILTER (WHERE outcome = 1), count(*) FILTER (WHERE outcome = 2)
		FROM bindings WHERE kiosk_id = $1 AND record_hash = $2`, in.kiosk, b.RecordHash[:], h).Scan(&same, &verified, &cancelled)
	if err != nil {
		return fmt.Errorf("archive: read bindings: %w", err)
	}
	switch {
	case same:
		return nil
	case b.Outcome == consent.OutcomeCancelled && verified+cancelled > 0,
		b.Outcome == consent.OutcomeVerified && cancelled > 0:
		return fmt.Errorf("%w: record %s is bound both as cancelled and otherwise", ErrRejected, b.RecordID)
	case b.Outcome == consent.OutcomeVerified && verified >= requests:
		return fmt.Errorf("%w: record %s has more verified bindings than request ids", ErrRejected, b.RecordID)
	}
	return nil
}
