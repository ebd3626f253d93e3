-- The archive schema, version 1, as first merged (archive/schema.go at
-- commit f579073). Kept to test the upgrade to version 2 (TestMigrateFromV1).
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
INSERT INTO meta VALUES ('schema_version', '1') ON CONFLICT DO NOTHING;
