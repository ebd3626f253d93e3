package uplink

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
)

// ClientTLS builds the kiosk's TLS configuration: INE's CA (PEM) as the only
// trusted root, the client certificate and key (PEM), TLS 1.3 only.
func ClientTLS(caPEM, certPEM, keyPEM []byte) (*tls.Config, error) {
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(caPEM) {
		return nil, errors.New("uplink: CA file holds no PEM certificate")
	}
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return nil, fmt.Errorf("uplink: client certificate: %w", err)
	}
	return &tls.Config{RootCAs: pool, Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS13}, nil
}

// LoadClientTLS reads the three PEM files and calls ClientTLS.
func LoadClientTLS(caFile, certFile, keyFile string) (*tls.Config, error) {
	var bs [3][]byte
	for i, p := range []string{caFile, certFile, keyFile} {
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("uplink: read TLS file: %w", err)
		}
		bs[i] = b
	}
	return ClientTLS(bs[0], bs[1], bs[2])
}
