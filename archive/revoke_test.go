package archive_test

import (
	"context"
	"crypto/x509"
	"errors"
	"net/http"
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
	client := ca.serve(t, a)
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
