package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/ventanilla-mx/ventanilla/archive/archivetest"
	"github.com/ventanilla-mx/ventanilla/internal/pgtest"
)

// TestRevokeCommand: `revoke --cert` stores the certificate's serial and
// CN in the archive's revocation list (read back as the owner).
func TestRevokeCommand(t *testing.T) {
	db := archivetest.NewDB(t, pgtest.Options{})
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tpl := &x509.Certificate{SerialNumber: big.NewInt(0xbeef01), Subject: pkix.Name{CommonName: "kiosk-07"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tpl, tpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "kiosk.pem")
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if code := run(ctx, []string{"revoke", "--dsn", db.Service, "--cert", path, "--reason", "robado"}); code != exitOK {
		t.Fatalf("revoke exit %d", code)
	}
	conn, err := pgx.Connect(ctx, db.Owner)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var serial, kiosk string
	if err := conn.QueryRow(ctx, "SELECT serial, kiosk_id FROM revoked_certs").Scan(&serial, &kiosk); err != nil {
		t.Fatal(err)
	}
	if serial != "beef01" || kiosk != "kiosk-07" {
		t.Fatalf("revoked %s of %s", serial, kiosk)
	}
}
