package inesim

import (
	"sync"
	"time"
)

// response is a complete HTTP response, kept for idempotent replays. For a
// 200 the body is the sealed answer (only the kiosk can open it).
type response struct {
	code  int
	ctype string
	body  []byte
}

type entry struct {
	digest  [32]byte
	expires time.Time
	done    chan struct{}
	resp    *response
}

// guard implements idempotency by request id and the nonce cache. It holds
// no personal data: request ids, digests, nonces, sealed answers.
type guard struct {
	idemWindow time.Duration
	nonceTTL   time.Duration

	mu        sync.Mutex
	entries   map[string]*entry
	nonces    map[string]time.Time
	nextSweep time.Time
}

func newGuard(idem, replay time.Duration) *guard {
	return &guard{idemWindow: idem, nonceTTL: 2 * replay, entries: map[string]*entry{}, nonces: map[string]time.Time{}}
}

// verdicts of guard.begin.
const (
	guardLeader   = iota // process the request, then finish the entry
	guardFollower        // identical retransmission: wait for the entry
	guardConflict        // same request id, different bytes
	guardReplay          // nonce already used
)

func (g *guard) begin(now time.Time, id string, digest [32]byte, nonce []byte) (*entry, int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.sweep(now)
	if e := g.entries[id]; e != nil && now.Before(e.expires) {
		if e.digest == digest {
			return e, guardFollower
		}
		return nil, guardConflict
	}
	if exp, ok := g.nonces[string(nonce)]; ok && now.Before(exp) {
		return nil, guardReplay
	}
	g.nonces[string(nonce)] = now.Add(g.nonceTTL)
	e := &entry{digest: digest, expires: now.Add(g.idemWindow), done: make(chan struct{})}
	g.entries[id] = e
	return e, guardLeader
}

func (g *guard) finish(e *entry, r *response) {
	e.resp = r
	close(e.done)
}

// sweep drops expired entries at most every few seconds.
func (g *guard) sweep(now time.Time) {
	if now.Before(g.nextSweep) {
		return
	}
	g.nextSweep = now.Add(5 * time.Second)
	for id, e := range g.entries {
		if !now.Before(e.expires) {
			select {
			case <-e.done:
				delete(g.entries, id)
			default: // still in flight
			}
		}
	}
	for n, exp := range g.nonces {
		if !now.Before(exp) {
			delete(g.nonces, n)
		}
	}
}

func (g *guard) sizes() (entries, nonces int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.entries), len(g.nonces)
}
