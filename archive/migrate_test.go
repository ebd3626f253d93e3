package archive_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/ventanilla-mx/ventanilla/archive"
	"github.com/ventanilla-mx/ventanilla/archive/archivetest"
	"github.com/ventanilla-mx/ventanilla/consent"
	"github.com/ventanilla-mx/ventanilla/internal/pgtest"
)

// TestMigrateFromV1: a version-1 database holding a binding (keyed by its
// record) is upgraded in place to version 2: the binding keeps its row,
// now keyed by its own hash, and a second verified binding of the same
// record (a corrected credential) is accepted by the next push.
func TestMigrateFromV1(t *testing.T) {
	ctx := context.Background()
	c := pgtest.Start(t, pgtest.Options{})
	owner := c.DSN("postgres", "postgres")
	conn, err := pgx.Connect(ctx, owner)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	v1, err := os.ReadFile("testdata/schema-v1.sql")
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"CREATE ROLE " + archivetest.ServiceRole + " LOGIN", "CREATE ROLE " + archivetest.RetentionRole + " LOGIN", string(v1)} {
		if _, err := conn.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	k := archivetest.NewKiosk(t, "kiosk-07")
	k.Append(t, 1)
	r, err := consent.ParseRecord(k.Records[0])
	if err != nil {
		t.Fatal(err)
	}
	r.Requests = append(r.Requests, "req-second") // the push below re-reads the leaf row, not the record
	first := k.Bind(t, 0, consent.OutcomeVerified, &consent.Identity{Credentials: []consent.Credential{cred}})
	lh := consent.LeafHash(k.Records[0])
	rows := []struct {
		q    string
		args []any
	}{
		{`INSERT INTO kiosks (kiosk_id, public_key) VALUES ($1, $2)`, []any{k.ID, []byte(k.Fx.Device.Public())}},
		{`INSERT INTO leaves (kiosk_id, idx, record_id, leaf_hash, stmt_time, requests) VALUES ($1, 0, $2, $3, $4, $5)`,
			[]any{k.ID, r.ID[:], lh[:], r.Time, r.Requests}},
		{`INSERT INTO payloads (kiosk_id, idx, record) VALUES ($1, 0, $2)`, []any{k.ID, k.Records[0]}},
		{`INSERT INTO bindings (kiosk_id, record_hash, idx, outcome, bound_at, lookups) VALUES ($1, $2, 0, 1, $3, '{}')`,
			[]any{k.ID, lh[:], time.Now()}},
		{`INSERT INTO binding_payloads (kiosk_id, record_hash, binding) VALUES ($1, $2, $3)`, []any{k.ID, lh[:], first}},
	}
	for _, row := range rows {
		if _, err := conn.Exec(ctx, row.q, row.args...); err != nil {
			t.Fatalf("%s: %v", row.q, err)
		}
	}
	if err := archive.Migrate(ctx, conn, archivetest.ServiceRole, archivetest.RetentionRole); err != nil {
		t.Fatal(err)
	}
	var h []byte
	if err := conn.QueryRow(ctx, `SELECT b.binding_hash FROM bindings b JOIN binding_payloads bp USING (kiosk_id, binding_hash)`).Scan(&h); err != nil {
		t.Fatal(err)
	}
	if want := sha256.Sum256(first); !bytes.Equal(h, want[:]) {
		t.Fatal("the migrated binding is not keyed by its hash")
	}
	var version string
	if err := conn.QueryRow(ctx, `SELECT value FROM meta WHERE key = 'schema_version'`).Scan(&version); err != nil || version != "2" {
		t.Fatalf("schema_version %q, %v", version, err)
	}
	a, err := archive.Open(ctx, c.DSN(archivetest.ServiceRole, "postgres"), "municipio-test", k.Fx.Device)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	second := k.Bind(t, 0, consent.OutcomeVerified, &consent.Identity{Credentials: []consent.Credential{{Kind: "cic", Value: "987654321"}}})
	if _, err := a.Ingest(ctx, &archive.Push{KioskID: k.ID, Bindings: [][]byte{first, second}}); err != nil {
		t.Fatalf("second verified binding after the upgrade: %v", err)
	}
	var n int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM bindings`).Scan(&n); err != nil || n != 2 {
		t.Fatalf("bindings held %d, %v", n, err)
	}
}
