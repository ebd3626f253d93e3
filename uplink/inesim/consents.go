package inesim

import (
	"sync"

	"golang.org/x/mod/sumdb/tlog"
)

// consentUses remembers which request each consent record was used for, so
// a record (and its proof) cannot stand behind a second request. It holds
// record hashes and request ids only, never a record. The reference service
// keeps them in memory for its lifetime; the real INE must keep them
// durably for as long as it accepts the kiosk's checkpoints
// (docs/protocol.md).
type consentUses struct {
	mu   sync.Mutex
	used map[tlog.Hash]string
}

func newConsentUses() *consentUses { return &consentUses{used: map[tlog.Hash]string{}} }

// claim records that record h backs request id, and reports false if h
// already backs another request. Claiming again for the same request (a
// retransmission after the idempotency window) is allowed.
func (c *consentUses) claim(h tlog.Hash, id string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if prev, ok := c.used[h]; ok {
		return prev == id
	}
	c.used[h] = id
	return true
}

func (c *consentUses) size() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.used)
}
