package uplink

import (
	"crypto/tls"
	"crypto/x509"
	"time"

	"github.com/ventanilla-mx/ventanilla/vocab"
)

// State is the client's view of the link, for health conditions.
type State struct {
	// Reachable is false after a transport failure (refused, no route, TLS
	// failure) and true after any HTTP response.
	Reachable bool
	// Since is when Reachable last changed (zero until the first exchange).
	Since time.Time
	// LastReason is the failure that made the link unreachable.
	LastReason Reason
	// ClientCertNotAfter is the expiry of the kiosk's TLS client certificate.
	ClientCertNotAfter time.Time
	// ServerCertNotAfter is the expiry of INE's certificate at the last
	// handshake (zero before one).
	ServerCertNotAfter time.Time
}

// CertExpiresWithin reports whether either certificate expires within d of now.
func (s State) CertExpiresWithin(now time.Time, d time.Duration) bool {
	soon := func(t time.Time) bool { return !t.IsZero() && t.Before(now.Add(d)) }
	return soon(s.ClientCertNotAfter) || soon(s.ServerCertNotAfter)
}

// State returns the current state.
func (c *Client) State() State {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.state
}

func (c *Client) setReachable(ok bool, r Reason, cs *tls.ConnectionState) {
	c.mu.Lock()
	old := c.state
	if ok != c.state.Reachable || c.state.Since.IsZero() {
		c.state.Reachable, c.state.Since = ok, c.opts.Now()
	}
	c.state.LastReason = r
	if cs != nil && len(cs.PeerCertificates) > 0 {
		c.state.ServerCertNotAfter = cs.PeerCertificates[0].NotAfter
	}
	cur := c.state
	c.mu.Unlock()
	changed := old.Reachable != cur.Reachable || old.Since.IsZero() || !old.ServerCertNotAfter.Equal(cur.ServerCertNotAfter)
	if changed && c.opts.OnState != nil {
		c.opts.OnState(cur)
	}
}

func clientCertNotAfter(cfg *tls.Config) time.Time {
	if cfg == nil || len(cfg.Certificates) == 0 {
		return time.Time{}
	}
	leaf := cfg.Certificates[0].Leaf
	if leaf == nil && len(cfg.Certificates[0].Certificate) > 0 {
		leaf, _ = x509.ParseCertificate(cfg.Certificates[0].Certificate[0])
	}
	if leaf == nil {
		return time.Time{}
	}
	return leaf.NotAfter
}

// Metrics are the client's counters. Labels are statuses and reasons only.
type Metrics struct {
	Verifications map[vocab.Status]uint64 // by outcome, vocab.StatusUnknown included
	Unknown       map[Reason]uint64       // vocab.StatusUnknown by reason
	Attempts      uint64                  // HTTP exchanges tried
	Retries       uint64                  // attempts after the first
	LatencyCount  uint64
	LatencySum    time.Duration // whole Verify calls
}

func newMetrics() Metrics {
	return Metrics{Verifications: map[vocab.Status]uint64{}, Unknown: map[Reason]uint64{}}
}

// Metrics returns a copy of the counters.
func (c *Client) Metrics() Metrics {
	c.mu.Lock()
	defer c.mu.Unlock()
	m := c.metrics
	m.Verifications, m.Unknown = map[vocab.Status]uint64{}, map[Reason]uint64{}
	for k, v := range c.metrics.Verifications {
		m.Verifications[k] = v
	}
	for k, v := range c.metrics.Unknown {
		m.Unknown[k] = v
	}
	return m
}

func (c *Client) count(f func(*Metrics)) {
	c.mu.Lock()
	f(&c.metrics)
	c.mu.Unlock()
}

func (c *Client) record(a Answer, d time.Duration) {
	c.count(func(m *Metrics) {
		m.Verifications[a.Status]++
		if a.Status == vocab.StatusUnknown {
			m.Unknown[a.Reason]++
		}
		m.LatencyCount++
		m.LatencySum += d
	})
}
