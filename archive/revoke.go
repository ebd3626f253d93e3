package archive

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"math/big"
	"strings"

	"github.com/jackc/pgx/v5"
)

// ErrRevoked: the client certificate of the push is revoked.
var ErrRevoked = errors.New("archive: client certificate revoked")

// SerialText is how a certificate serial is written in revoked_certs and
// on the command line: lower-case hex without leading zeros or colons.
func SerialText(n *big.Int) string { return n.Text(16) }

// ParseSerial reads a serial as `openssl x509 -serial` or SerialText
// prints it (hex, colons and a "serial=" prefix allowed).
func ParseSerial(s string) (*big.Int, error) {
	s = strings.TrimPrefix(strings.ToLower(strings.TrimSpace(s)), "serial=")
	n, ok := new(big.Int).SetString(strings.ReplaceAll(s, ":", ""), 16)
	if !ok || n.Sign() <= 0 {
		return nil, fmt.Errorf("archive: %q is not a certificate serial in hex", s)
	}
	return n, nil
}

// Revoke adds a kiosk client certificate serial to the revocation list.
// Revocation is permanent (the service role cannot delete it): a kiosk
// whose certificate was revoked by mistake gets a new certificate. The
// serial is that of a certificate issued by the configured kiosk CA.
func (a *Archive) Revoke(ctx context.Context, serial *big.Int, kiosk, reason string) error {
	_, err := a.pool.Exec(ctx, `INSERT INTO revoked_certs (serial, kiosk_id, reason) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
		SerialText(serial), kiosk, reason)
	if err != nil {
		return fmt.Errorf("archive: revoke %s: %w", SerialText(serial), err)
	}
	return nil
}

// checkRevoked refuses a client certificate on the revocation list. It
// runs on every push, so a connection opened before the revocation is
// refused from its next request on.
func (a *Archive) checkRevoked(ctx context.Context, cert *x509.Certificate) error {
	var one int
	err := a.pool.QueryRow(ctx, `SELECT 1 FROM revoked_certs WHERE serial = $1`, SerialText(cert.SerialNumber)).Scan(&one)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return nil
	case err != nil:
		return fmt.Errorf("archive: revocation list: %w", err)
	}
	a.metrics.revokedRefused.Add(1)
	return fmt.Errorf("%w (serial %s)", ErrRevoked, SerialText(cert.SerialNumber))
}
