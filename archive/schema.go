package archive

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// SchemaVersion is the version of the tables below.
// Version 2 adds revoked_certs (migrate adds it to a version-1 store).
const SchemaVersion = 2

// schema is applied by the owner role (ventanilla-archive migrate). Rows are
// never updated: every table only grows, except payload rows, which the
// retention role may delete.
const schema = `
CREATE TABLE IF NOT EXISTS meta (key text PRIMARY KEY, value text NOT NULL);
CREATE TABLE IF NOT EXISTS kiosks (
  kiosk_id   text PRIMARY KEY,
  public_key bytea NOT NULL CHECK (length(public_key) = 32),
  enrolled   timestamptz NOT NULL DEFAULT now());
CREATE TABLE IF NOT EXISTS leaves (
  kiosk_id   text NOT NULL REFERENCES kiosks,
  idx        bigint NOT NULL CHECK (idx >= 0),
  record_id  bytea NOT NULL,
  leaf_hash  bytea NOT NULL,
  stmt_time  timestamptz NOT NULL,
  requests   text[] NOT NULL,
  received   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (kiosk_id, idx));
CREATE INDEX IF NOT EXISTS leaves_requests ON leaves USING gin (requests);
CREATE TABLE IF NOT EXISTS payloads (
  kiosk_id text NOT NULL,
  idx      bigint NOT NULL,
  record   bytea NOT NULL,
  PRIMARY KEY (kiosk_id, idx),
  FOREIGN KEY (kiosk_id, idx) REFERENCES leaves);
CREATE TABLE IF NOT EXISTS hashes (
  kiosk_id text NOT NULL,
  hidx     bigint NOT NULL,
  hash     bytea NOT NULL,
  PRIMARY KEY (kiosk_id, hidx));
CREATE TABLE IF NOT EXISTS checkpoints (
  kiosk_id text NOT NULL REFERENCES kiosks,
  size     bigint NOT NULL,
  root     bytea NOT NULL,
  note     bytea NOT NULL,
  cosigned bytea NOT NULL,
  received timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (kiosk_id, size));
CREATE TABLE IF NOT EXISTS bindings (
  kiosk_id   text NOT NULL REFERENCES kiosks,
  record_hash bytea NOT NULL,
  idx        bigint NOT NULL,
  outcome    smallint NOT NULL,
  bound_at   timestamptz NOT NULL,
  lookups    bytea[] NOT NULL,
  received   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (kiosk_id, record_hash));
CREATE INDEX IF NOT EXISTS bindings_lookups ON bindings USING gin (lookups);
CREATE TABLE IF NOT EXISTS binding_payloads (
  kiosk_id    text NOT NULL,
  record_hash bytea NOT NULL,
  binding     bytea NOT NULL,
  PRIMARY KEY (kiosk_id, record_hash),
  FOREIGN KEY (kiosk_id, record_hash) REFERENCES bindings);
CREATE TABLE IF NOT EXISTS alerts (
  id        bigserial PRIMARY KEY,
  kiosk_id  text NOT NULL,
  kind      text NOT NULL,
  held      bytea,
  presented bytea NOT NULL,
  detail    text NOT NULL,
  at        timestamptz NOT NULL DEFAULT now());
CREATE TABLE IF NOT EXISTS erasures (
  kiosk_id text NOT NULL,
  idx      bigint NOT NULL,
  at       timestamptz NOT NULL DEFAULT now(),
  reason   text NOT NULL,
  PRIMARY KEY (kiosk_id, idx));
CREATE TABLE IF NOT EXISTS revoked_certs (
  serial   text PRIMARY KEY CHECK (serial ~ '^[0-9a-f]+$'),
  kiosk_id text NOT NULL,
  reason   text NOT NULL,
  at       timestamptz NOT NULL DEFAULT now());
INSERT INTO meta VALUES ('schema_version', '2') ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value;
`

// grants gives the service role SELECT and INSERT only (no UPDATE, DELETE,
// TRUNCATE), and the retention role what erasure needs.
func grants(service, retention string) string {
	s := pgx.Identifier{service}.Sanitize()
	r := pgx.Identifier{retention}.Sanitize()
	return fmt.Sprintf(`
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM PUBLIC;
GRANT SELECT, INSERT ON leaves, payloads, hashes, checkpoints, bindings, binding_payloads, alerts, kiosks, revoked_certs TO %[1]s;
GRANT SELECT ON meta, erasures TO %[1]s;
GRANT USAGE ON SEQUENCE alerts_id_seq TO %[1]s;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO %[2]s;
GRANT DELETE ON payloads, binding_payloads TO %[2]s;
GRANT INSERT ON erasures TO %[2]s;
`, s, r)
}

// Migrate creates the tables and the grants. It runs as the owner role;
// the service and retention roles must exist (CREATE ROLE … LOGIN).
func Migrate(ctx context.Context, conn *pgx.Conn, service, retention string) error {
	if _, err := conn.Exec(ctx, schema); err != nil {
		return fmt.Errorf("archive: schema: %w", err)
	}
	if _, err := conn.Exec(ctx, grants(service, retention)); err != nil {
		return fmt.Errorf("archive: grants: %w", err)
	}
	return nil
}
