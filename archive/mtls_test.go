package archive_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/ventanilla-mx/ventanilla/archive"
	"github.com/ventanilla-mx/ventanilla/archive/wire"
)

type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pool *x509.CertPool
}

func newCA(t *testing.T) *testCA {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "municipio CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true,
		BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tpl, tpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &testCA{cert: cert, key: key, pool: pool}
}

func (ca *testCA) client(t *testing.T, cn string) tls.Certificate {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	serial, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
	tpl := &x509.Certificate{SerialNumber: serial.Add(serial, big.NewInt(2)), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}, KeyUsage: x509.KeyUsageDigitalSignature}
	der, err := x509.CreateCertificate(rand.Reader, tpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// serve runs a's push handler over mutual TLS on loopback, trusting the
// clients ca issues, until the test ends; it returns a client maker.
func (ca *testCA) serve(t *testing.T, a *archive.Archive) func(tls.Certificate) *wire.Client {
	srv := httptest.NewUnstartedServer(a.Handler())
	srv.TLS = &tls.Config{ClientCAs: ca.pool, ClientAuth: tls.RequireAndVerifyClientCert, MinVersion: tls.VersionTLS13}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return func(c tls.Certificate) *wire.Client {
		tr := srv.Client().Transport.(*http.Transport).Clone()
		tr.TLSClientConfig.Certificates = []tls.Certificate{c}
		return &wire.Client{URL: srv.URL, HTTP: &http.Client{Transport: tr}}
	}
}

func TestPushOverMutualTLS(t *testing.T) {
	_, a, k := setup(t)
	ca := newCA(t)
	push := ca.serve(t, a)
	client := func(cn string) *wire.Client { return push(ca.client(t, cn)) }
	k.Append(t, 3)
	ctx := context.Background()
	ack, err := client(k.ID).Push(ctx, k.Push(t, 0, 3))
	if err != nil || ack.Size != 3 || len(ack.Cosigned) == 0 {
		t.Fatalf("push: %+v, %v", ack, err)
	}
	var pe *wire.PushError
	if _, err := client("kiosk-99").Push(ctx, k.Push(t, 0, 3)); !errors.As(err, &pe) || pe.Status != http.StatusForbidden {
		t.Fatalf("certificate of another kiosk: %v", err)
	}
	k.Rewrite(t, 1)
	if _, err := client(k.ID).Push(ctx, k.Push(t, 0, 3)); !errors.As(err, &pe) || pe.Code != "fork" {
		t.Fatalf("rewritten log over TLS: %v", err)
	}
}
