package inesim

import (
	"slices"
	"sync"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/ventanilla-mx/ventanilla/uplink"
)

// MaxRequestsPerConsent is how many requests one consent record may back:
// the first and at most three corrections (docs/protocol.md, rule 6).
const MaxRequestsPerConsent = 4

// consentUses remembers which requests each consent record was used for,
// so a record (and its proof) cannot stand behind an unbounded number of
// requests. A record backs the first request id it names that INE sees;
// it backs another id it names only after INE answered the previous one
// "not found" or "data mismatch" (the citizen corrects a typing error, in
// the same session, under the same consent), and never more than
// MaxRequestsPerConsent. It holds record hashes, request ids and that one
// bit, never a record or an answer. The reference service keeps them in
// memory for its lifetime; the real INE must keep them durably for as long
// as it accepts the kiosk's checkpoints (docs/protocol.md).
type consentUses struct {
	mu   sync.Mutex
	used map[tlog.Hash]*consentUse
}

type consentUse struct {
	ids  []string // request ids backed, in order
	open bool     // the last one was answered not-found or data-mismatch
}

func newConsentUses() *consentUses { return &consentUses{used: map[tlog.Hash]*consentUse{}} }

// claim records that record h backs request id, and reports false if h
// may not back it. Claiming again for the last request (a retransmission
// after the idempotency window) is allowed.
func (c *consentUses) claim(h tlog.Hash, id string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	u, ok := c.used[h]
	switch {
	case !ok:
		c.used[h] = &consentUse{ids: []string{id}}
		return true
	case u.ids[len(u.ids)-1] == id:
		return true
	case !u.open || slices.Contains(u.ids, id) || len(u.ids) >= MaxRequestsPerConsent:
		return false
	}
	u.ids, u.open = append(u.ids, id), false
	return true
}

// settle records the status answered to request id under record h: only
// an answer about the data typed opens the record for a correction.
func (c *consentUses) settle(h tlog.Hash, id string, st uplink.Status) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if u, ok := c.used[h]; ok && u.ids[len(u.ids)-1] == id {
		u.open = st == uplink.StatusNotFound || st == uplink.StatusDataMismatch
	}
}

func (c *consentUses) size() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.used)
}
