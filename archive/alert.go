package archive

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Alert is a refused push that contradicts what the archive holds: a fork
// (another root at a size already witnessed) or a rewrite (another leaf at
// an index already held). Both checkpoints are kept as proof.
type Alert struct {
	ID        int64
	KioskID   string
	Kind      string // "fork" or "rewrite"
	Held      []byte // the latest countersigned checkpoint held, if any
	Presented []byte // the checkpoint of the refused push (kiosk-signed)
	Detail    string // indexes and sizes only
	At        time.Time
}

func (in *ingest) fork(ctx context.Context, kind, detail string, presented []byte) error {
	var held []byte
	err := in.tx.QueryRow(ctx, `SELECT cosigned FROM checkpoints WHERE kiosk_id = $1 ORDER BY size DESC LIMIT 1`, in.kiosk).Scan(&held)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("archive: held checkpoint: %w", err)
	}
	in.alert = &Alert{KioskID: in.kiosk, Kind: kind, Held: held, Presented: presented, Detail: detail}
	return fmt.Errorf("%w: kiosk %s: %s", ErrFork, in.kiosk, detail)
}

func (a *Archive) raise(ctx context.Context, al *Alert) error {
	_, err := a.pool.Exec(ctx, `INSERT INTO alerts (kiosk_id, kind, held, presented, detail) VALUES ($1, $2, $3, $4, $5)`,
		al.KioskID, al.Kind, al.Held, al.Presented, al.Detail)
	if err != nil {
		return fmt.Errorf("archive: store alert: %w", err)
	}
	return nil
}

// Alerts returns every alert, oldest first.
func (a *Archive) Alerts(ctx context.Context) ([]Alert, error) {
	rows, err := a.pool.Query(ctx, `SELECT id, kiosk_id, kind, held, presented, detail, at FROM alerts ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("archive: alerts: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (Alert, error) {
		var al Alert
		err := r.Scan(&al.ID, &al.KioskID, &al.Kind, &al.Held, &al.Presented, &al.Detail, &al.At)
		return al, err
	})
}
