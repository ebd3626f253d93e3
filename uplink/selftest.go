package uplink

import (
	"context"
	"fmt"
	"time"

	"github.com/ventanilla-mx/ventanilla/credential"
	"golang.org/x/mod/sumdb/tlog"
)

// Check is one self-test result. Name is a stable identifier; Err is nil
// when the check passed. Neither holds personal data.
type Check struct {
	Name string
	Err  error
}

// CertWarning is how close to expiry a certificate fails the "uplink.certs"
// self-test.
const CertWarning = 30 * 24 * time.Hour

// SelfTest runs the client's checks: "uplink.seal" (device key, HPKE to
// INE's key and locked memory work: a synthetic request is sealed and
// discarded, never sent), "uplink.reachable" (GET /v2/ping over mTLS) and
// "uplink.certs" (client and INE certificates valid for CertWarning more).
func (c *Client) SelfTest(ctx context.Context) []Check {
	checks := []Check{{Name: "uplink.seal", Err: c.selfSeal()}, {Name: "uplink.reachable", Err: c.Probe(ctx)}}
	st, now := c.State(), c.opts.Now()
	var certErr error
	if st.CertExpiresWithin(now, CertWarning) {
		certErr = fmt.Errorf("uplink: a TLS certificate expires before %s (client %s, INE %s); renew it",
			now.Add(CertWarning).Format(time.DateOnly), st.ClientCertNotAfter.Format(time.DateOnly), st.ServerCertNotAfter.Format(time.DateOnly))
	}
	return append(checks, Check{Name: "uplink.certs", Err: certErr})
}

func (c *Client) selfSeal() error {
	record := []byte("self-test consent record")
	req := &Request{
		ID:         "self-test",
		Consent:    ConsentProof{Record: record, RecordHash: tlog.RecordHash(record), Checkpoint: []byte("self-test\n1\n\n")},
		Credential: credential.Credential{Model: credential.ModelE, CIC: "000000000", IdentificadorCiudadano: "000000000"}.Secret(),
		Biometrics: []Biometric{{Kind: KindFinger, Position: 1, Format: FormatWSQ, Data: make([]byte, 64)}},
	}
	s, err := c.sealer.Seal(req)
	if err != nil {
		return fmt.Errorf("uplink: self-test seal: %w", err)
	}
	s.Release()
	return nil
}
