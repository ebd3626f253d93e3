package ledger

import (
	"fmt"
	"path/filepath"
	"sync/atomic"
	"syscall"
	"time"
)

// Metrics are counts only: no id, kiosk-visible identifier or personal
// datum, so they may become Prometheus series without labels.
type Metrics struct {
	Appends        uint64        // acknowledged appends since Open
	AppendFailures uint64        // appends that returned an error (nothing acknowledged)
	Unwritable     uint64        // of those, failures wrapping ErrUnwritable
	LastAppend     time.Duration // duration of the latest acknowledged append
	Proofs         uint64        // proofs served
	Bindings       uint64        // identity bindings committed
}

type counters struct {
	appends, failures, unwritable, proofs, bindings atomic.Uint64
	lastAppendNs                                    atomic.Int64
}

// Metrics returns the counters since Open.
func (l *Ledger) Metrics() Metrics {
	return Metrics{Appends: l.ctr.appends.Load(), AppendFailures: l.ctr.failures.Load(),
		Unwritable: l.ctr.unwritable.Load(), LastAppend: time.Duration(l.ctr.lastAppendNs.Load()),
		Proofs: l.ctr.proofs.Load(), Bindings: l.ctr.bindings.Load()}
}

// DiskFree returns the bytes available to this process on the file system
// holding the store, for the daemon's low-disk condition.
func (l *Ledger) DiskFree() (uint64, error) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(filepath.Dir(l.path), &st); err != nil {
		return 0, fmt.Errorf("ledger: statfs %s: %w", filepath.Dir(l.path), err)
	}
	return st.Bavail * uint64(st.Bsize), nil
}
