package ledger

// schemaVersion is PRAGMA user_version of a ledger this package writes.
const schemaVersion = 1

// schema creates a version-1 ledger. Records, hashes and meta are
// append-only; the single checkpoint row may only move forward.
const schema = `
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

PRAGMA user_version = 1;
`
