package ledger

// schemaVersion is PRAGMA user_version of a ledger this package writes.
// Version 2 adds noReplace to version 1; version 3 adds bindingsV3 to
// version 2; version 4 drops the records_time index (v4Unindexed). An
// older store opened for writing is upgraded in place (its tables and rows
// are unchanged; only what is missing is added, the index dropped).
const schemaVersion = 4

// schema creates a ledger (schemaV1 + noReplace + bindingsV3 +
// v4Unindexed). Records, hashes, meta and bindings are append-only; the
// single checkpoint row may only move forward.
const schema = schemaV1 + noReplace + bindingsV3 + v4Unindexed + "PRAGMA user_version = 4;\n"

// v4Unindexed drops the index on records(time): every append wrote one
// more page for it (7 WAL frames per append instead of 6). A period export
// finds its records through the id index instead: a record's id is a
// UUIDv7 of its statement's time, to the millisecond, which appends check
// (and an upgrade checks of the records already there before dropping it).
const v4Unindexed = `
DROP INDEX IF EXISTS records_time;
`

// schemaV1 is the version-1 schema without its user_version line.
const schemaV1 = `
CREATE TABLE meta (
	key   TEXT PRIMARY KEY,
	value BLOB NOT NULL
) WITHOUT ROWID;

CREATE TABLE records (
	idx  INTEGER PRIMARY KEY CHECK (idx >= 0),        -- Merkle leaf index
	id   BLOB NOT NULL UNIQUE CHECK (length(id) = 16), -- consent.ID
	time INTEGER NOT NULL,                             -- statement time, Unix ns
	body BLOB NOT NULL                                 -- canonical record bytes
);
CREATE INDEX records_time ON records(time);

CREATE TABLE hashes (
	idx  INTEGER PRIMARY KEY CHECK (idx >= 0),         -- tlog stored hash index
	hash BLOB NOT NULL CHECK (length(hash) = 32)
);

CREATE TABLE checkpoint (
	one  INTEGER PRIMARY KEY CHECK (one = 1),
	size INTEGER NOT NULL CHECK (size >= 0),
	note BLOB NOT NULL                                 -- signed C2SP checkpoint
);

CREATE TRIGGER records_append_only_update BEFORE UPDATE ON records
BEGIN SELECT RAISE(ABORT, 'consent records are append-only'); END;
CREATE TRIGGER records_append_only_delete BEFORE DELETE ON records
BEGIN SELECT RAISE(ABORT, 'consent records are append-only'); END;
CREATE TRIGGER records_next_index BEFORE INSERT ON records
WHEN NEW.idx != (SELECT coalesce(max(idx) + 1, 0) FROM records)
BEGIN SELECT RAISE(ABORT, 'consent records must be appended at the next index'); END;

CREATE TRIGGER hashes_append_only_update BEFORE UPDATE ON hashes
BEGIN SELECT RAISE(ABORT, 'consent log hashes are append-only'); END;
CREATE TRIGGER hashes_append_only_delete BEFORE DELETE ON hashes
BEGIN SELECT RAISE(ABORT, 'consent log hashes are append-only'); END;

CREATE TRIGGER meta_append_only_update BEFORE UPDATE ON meta
BEGIN SELECT RAISE(ABORT, 'consent ledger metadata is immutable'); END;
CREATE TRIGGER meta_append_only_delete BEFORE DELETE ON meta
BEGIN SELECT RAISE(ABORT, 'consent ledger metadata is immutable'); END;

CREATE TRIGGER checkpoint_forward_only BEFORE UPDATE ON checkpoint
WHEN NEW.size <= OLD.size
BEGIN SELECT RAISE(ABORT, 'consent checkpoint may only grow'); END;
CREATE TRIGGER checkpoint_no_delete BEFORE DELETE ON checkpoint
BEGIN SELECT RAISE(ABORT, 'consent checkpoint cannot be deleted'); END;
`

// noReplace closes what the version-1 triggers left open: INSERT OR REPLACE
// (and REPLACE INTO) removes the conflicting row without firing DELETE
// triggers (recursive_triggers is off), so every insert that would collide
// with an existing row is refused before the conflict is resolved. The
// checkpoint row is written once at creation and then only UPDATEd.
const noReplace = `
CREATE TRIGGER IF NOT EXISTS records_no_replace BEFORE INSERT ON records
WHEN EXISTS (SELECT 1 FROM records WHERE idx = NEW.idx)
BEGIN SELECT RAISE(ABORT, 'consent records cannot be replaced'); END;
CREATE TRIGGER IF NOT EXISTS records_no_replace_id BEFORE INSERT ON records
WHEN EXISTS (SELECT 1 FROM records WHERE id = NEW.id)
BEGIN SELECT RAISE(ABORT, 'consent record id already recorded'); END;
CREATE TRIGGER IF NOT EXISTS hashes_no_replace BEFORE INSERT ON hashes
WHEN EXISTS (SELECT 1 FROM hashes WHERE idx = NEW.idx)
BEGIN SELECT RAISE(ABORT, 'consent log hashes cannot be replaced'); END;
CREATE TRIGGER IF NOT EXISTS meta_no_replace BEFORE INSERT ON meta
WHEN EXISTS (SELECT 1 FROM meta WHERE key = NEW.key)
BEGIN SELECT RAISE(ABORT, 'consent ledger metadata is immutable'); END;
CREATE TRIGGER IF NOT EXISTS checkpoint_insert_once BEFORE INSERT ON checkpoint
WHEN EXISTS (SELECT 1 FROM checkpoint)
BEGIN SELECT RAISE(ABORT, 'consent checkpoint may only be updated forward'); END;
`

// bindingsV3 holds the identity bindings (consent.Binding) in the order
// they were made (seq, the archive sender's binding cursor): one per
// verification sent under a consent (a consent may cover several request
// ids, docs/protocol.md), or one "cancelled". They are not Merkle leaves:
// they travel beside the log.
const bindingsV3 = `
CREATE TABLE IF NOT EXISTS bindings (
	seq  INTEGER PRIMARY KEY CHECK (seq >= 1),   -- 1, 2, 3, … in the order made
	idx  INTEGER NOT NULL REFERENCES records(idx), -- the bound record's leaf index
	body BLOB NOT NULL                           -- canonical signed binding
);
CREATE INDEX IF NOT EXISTS bindings_idx ON bindings(idx);
CREATE TRIGGER IF NOT EXISTS bindings_append_only_update BEFORE UPDATE ON bindings
BEGIN SELECT RAISE(ABORT, 'consent bindings are append-only'); END;
CREATE TRIGGER IF NOT EXISTS bindings_append_only_delete BEFORE DELETE ON bindings
BEGIN SELECT RAISE(ABORT, 'consent bindings are append-only'); END;
CREATE TRIGGER IF NOT EXISTS bindings_next_seq BEFORE INSERT ON bindings
WHEN NEW.seq != (SELECT coalesce(max(seq) + 1, 1) FROM bindings)
BEGIN SELECT RAISE(ABORT, 'consent bindings must be appended at the next sequence number'); END;
CREATE TRIGGER IF NOT EXISTS bindings_no_replace BEFORE INSERT ON bindings
WHEN EXISTS (SELECT 1 FROM bindings WHERE seq = NEW.seq)
BEGIN SELECT RAISE(ABORT, 'consent bindings cannot be replaced'); END;
`
