package ledger

import (
	"context"

	"github.com/ventanilla-mx/ventanilla/consent"
)

// AppendRecord exposes the store half of Append (no sealing, no record
// signature) to the benchmarks.
func (l *Ledger) AppendRecord(ctx context.Context, st *consent.Statement, b []byte) (Receipt, error) {
	return l.appendRecord(ctx, st, b)
}
