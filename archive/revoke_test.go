package archive_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/ventanilla-mx/ventanilla/archive"
	"github.com/ventanilla-mx/ventanilla/archive/wire"
)

// TestRevokedCertificateRefused runs real mutual TLS on loopback: a kiosk
// pushes, its certificate is revoked, and its next push on the same
// keep-alive connection is refused (403 "revoked") while a new certificate
// for the same kiosk is accepted. The list only grows.
func TestRevokedCertificateRefused(t *testing.T) {
	db, a, k := setup(t)
	ca := newCA(t)
	srv := httptest.NewUnstartedServer(a.Handler())
	srv.TLS = &tls.Config{ClientCAs: ca.pool, ClientAuth: tls.RequireAndVerifyClientCert, MinVersion: tls.VersionTLS13}
	srv.StartTLS()
	defer srv.Close()
	client := func(c tls.Certificate) *wire.Client {
		tr := srv.Client().Transport.(*http.Transport).Clone()
		tr.TLSClientConfig.Certificates = []tls.Certificate{c}
		return &wire.Client{URL: srv.URL, HTTP: &http.Client{Transport: tr}}
	}
	ctx := context.Background()
	old, renewed := ca.client(t, k.ID), ca.client(t, k.ID)
	oldClient := client(old)
	k.Append(t, 2)
	if _, err := oldClient.Push(ctx, k.Push(t, 0, 2)); err != nil {
		t.Fatal(err)
	}
	leaf, _ := x509.ParseCertificate(old.Certificate[0])
	serial, err := archive.ParseSerial("serial=" + strings.ToUpper(archive.SerialText(leaf.SerialNumber)))
	if err != nil || serial.Cmp(leaf.SerialNumber) != 0 {
		t.Fatalf("serial round trip: %v", err)
	}
	for range 2 { // revoking twice is harmless
		if err := a.Revoke(ctx, serial, k.ID, "kiosk stolen"); err != nil {
			t.Fatal(err)
		}
	}
	k.Append(t, 1)
	var pe *wire.PushError
	if _, err := oldClient.Push(ctx, k.Push(t, 0, 3)); !errors.As(err, &pe) || pe.Status != http.StatusForbidden || pe.Code != "revoked" {
		t.Fatalf("push with a revoked certificate: %v", err)
	}
	if ack, err := client(renewed).Push(ctx, k.Push(t, 0, 3)); err != nil || ack.Size != 3 {
		t.Fatalf("push with the new certificate: %+v, %v", ack, err)
	}
	svc, err := pgx.Connect(ctx, db.Service)
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close(ctx)
	if _, err := svc.Exec(ctx, "DELETE FROM revoked_certs"); err == nil {
		t.Fatal("the service role could delete a revocation")
	}
	if got := scrape(t, a, "ventanilla_archive_pushes_total{result=\"revoked\"}"); got != "1" {
		t.Fatalf("revoked pushes counted %s, want 1", got)
	}
}

// scrape reads one sample from the health handler's /metrics.
func scrape(t *testing.T, a *archive.Archive, name string) string {
	t.Helper()
	srv := httptest.NewServer(a.HealthHandler(archive.HealthOpts{}))
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			return v
		}
	}
	t.Fatalf("metric %s not in:\n%s", name, b)
	return ""
}

func readyz(t *testing.T, a *archive.Archive, o archive.HealthOpts) (int, archive.Readiness) {
	t.Helper()
	srv := httptest.NewServer(a.HealthHandler(o))
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var rd archive.Readiness
	if err := json.NewDecoder(resp.Body).Decode(&rd); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, rd
}
