package ledger_test

import (
	"bytes"
	"context"
	"database/sql"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ventanilla-mx/ventanilla/consent"
	"github.com/ventanilla-mx/ventanilla/consent/bundle"
	"github.com/ventanilla-mx/ventanilla/consent/consenttest"
	"github.com/ventanilla-mx/ventanilla/consent/ledger"
	"github.com/ventanilla-mx/ventanilla/devicekey"
	"golang.org/x/mod/sumdb/tlog"
)

// wantAudit fails unless err is an AuditError with a problem containing
// every fragment.
func wantAudit(t *testing.T, err error, fragments ...string) {
	t.Helper()
	if !ledger.IsAuditError(err) {
		t.Fatalf("err = %v, want an AuditError mentioning %q", err, fragments)
	}
	for _, p := range err.(*ledger.AuditError).Problems {
		s, all := p.String(), true
		for _, f := range fragments {
			all = all && strings.Contains(s, f)
		}
		if all {
			return
		}
	}
	t.Fatalf("no problem mentions %q:\n%v", fragments, err)
}

func wantBundleProblem(t *testing.T, rep *bundle.Report, fragments ...string) {
	t.Helper()
	if rep.OK() {
		t.Fatalf("bundle verified; want a problem mentioning %q", fragments)
	}
	for _, p := range rep.Problems {
		s, all := p.String(), true
		for _, f := range fragments {
			all = all && strings.Contains(s, f)
		}
		if all {
			return
		}
	}
	t.Fatalf("no bundle problem mentions %q: %v", fragments, rep.Problems)
}

// exportAll exports the whole period and verifies the bundle with the
// device key.
func (e *env) exportAll(old []byte) *bundle.Report {
	e.t.Helper()
	var buf bytes.Buffer
	sel := ledger.Selection{Since: consenttest.Epoch, Until: consenttest.Epoch.Add(time.Hour)}
	if _, err := e.l.Export(context.Background(), &buf, sel, e.exportOpts()); err != nil {
		e.t.Fatal(err)
	}
	return bundle.Verify(&buf, &bundle.VerifyOpts{PublicKey: e.fx.Device.Public(), OldCheckpoint: old})
}

func TestTamperAnyByteOfARecord(t *testing.T) {
	e := newEnv(t, 3)
	ctx := context.Background()
	db := e.raw()
	e.exec(db, "DROP TRIGGER records_append_only_update")
	id := consenttest.Statement(1).ID
	_, orig, _ := e.l.Record(ctx, id)
	step := 1
	if testing.Short() {
		step = 37
	}
	for i := 0; i < len(orig); i += step {
		c := bytes.Clone(orig)
		c[i] ^= 0x20
		e.exec(db, "UPDATE records SET body = ? WHERE idx = 1", c)
		err := e.l.Audit(ctx, nil)
		wantAudit(t, err, "index 1")
		if i%97 == 0 {
			wantBundleProblem(t, e.exportAll(nil), "index 1")
		}
	}
	e.exec(db, "UPDATE records SET body = ? WHERE idx = 1", orig)
	if err := e.l.Audit(ctx, nil); err != nil {
		t.Fatalf("restored record does not audit: %v", err)
	}
}

func TestTamperDeletedRow(t *testing.T) {
	e := newEnv(t, 4)
	db := e.raw()
	e.exec(db, "DROP TRIGGER records_append_only_delete")
	e.exec(db, "DELETE FROM records WHERE idx = 1")
	wantAudit(t, e.l.Audit(context.Background(), nil), "index 1", "missing")
	wantBundleProblem(t, e.exportAll(nil), "index 1", "missing")
}

func TestTamperReordered(t *testing.T) {
	e := newEnv(t, 4)
	db := e.raw()
	e.exec(db, "DROP TRIGGER records_append_only_update")
	type rec struct {
		id   []byte
		time int64
		body []byte
	}
	var r1, r2 rec
	_ = db.QueryRow("SELECT id, time, body FROM records WHERE idx = 1").Scan(&r1.id, &r1.time, &r1.body)
	_ = db.QueryRow("SELECT id, time, body FROM records WHERE idx = 2").Scan(&r2.id, &r2.time, &r2.body)
	e.exec(db, "UPDATE records SET id = randomblob(16) WHERE idx = 1")
	e.exec(db, "UPDATE records SET id = ?, time = ?, body = ? WHERE idx = 2", r1.id, r1.time, r1.body)
	e.exec(db, "UPDATE records SET id = ?, time = ?, body = ? WHERE idx = 1", r2.id, r2.time, r2.body)
	moved := consenttest.Statement(2).ID.String()
	wantAudit(t, e.l.Audit(context.Background(), nil), moved, "index 1", "merkle hashes")
	wantBundleProblem(t, e.exportAll(nil), moved, "index 1", "inclusion proof")
}

func TestTamperTruncated(t *testing.T) {
	e := newEnv(t, 5)
	ctx := context.Background()
	_, old, _ := e.l.Checkpoint(ctx)
	db := e.raw()
	e.exec(db, "DROP TRIGGER records_append_only_delete")
	e.exec(db, "DROP TRIGGER hashes_append_only_delete")
	e.exec(db, "DELETE FROM records WHERE idx >= 3")
	e.exec(db, "DELETE FROM hashes WHERE idx >= ?", tlog.StoredHashCount(3))
	wantAudit(t, e.l.SelfTest(ctx), "checkpoint", "covers 5 records")
	wantAudit(t, e.l.Audit(ctx, nil), "checkpoint", "root")

	// An attacker holding the device key re-signs the short log: the store
	// is consistent again, but an auditor with the old checkpoint sees it.
	root, _ := tlog.TreeHash(3, hashesOf(t, db))
	forged, _ := consent.SignCheckpoint(consent.Checkpoint{Origin: e.l.Origin(), Size: 3, Root: root}, e.fx.Device)
	e.exec(db, "DROP TRIGGER checkpoint_forward_only")
	e.exec(db, "UPDATE checkpoint SET size = 3, note = ?", forged)
	if err := e.l.Audit(ctx, nil); err != nil {
		t.Fatalf("re-signed short log should audit clean on its own: %v", err)
	}
	wantBundleProblem(t, e.exportAll(old), "old checkpoint", "size 5", "truncated")
}

// hashesOf reads stored hashes straight from the file.
func hashesOf(t *testing.T, db *sql.DB) tlog.HashReaderFunc {
	return func(idx []int64) ([]tlog.Hash, error) {
		out := make([]tlog.Hash, len(idx))
		for i, x := range idx {
			var b []byte
			if err := db.QueryRow("SELECT hash FROM hashes WHERE idx = ?", x).Scan(&b); err != nil {
				t.Fatal(err)
			}
			out[i] = tlog.Hash(b)
		}
		return out, nil
	}
}

func TestTamperForgedCheckpoint(t *testing.T) {
	e := newEnv(t, 3)
	ctx := context.Background()
	db := e.raw()
	e.exec(db, "DROP TRIGGER checkpoint_forward_only")
	_, note, _ := e.l.Checkpoint(ctx)
	cp, _ := consent.OpenCheckpoint(note, e.l.Origin(), e.fx.Device.Public())

	forger, _ := devicekey.Generate()
	byForger, _ := consent.SignCheckpoint(cp, forger)
	edited := bytes.Clone(note)
	edited[len(e.l.Origin())+4] ^= 1 // first character of the root hash line
	for name, forged := range map[string][]byte{"other key": byForger, "edited text": edited} {
		e.exec(db, "UPDATE checkpoint SET note = ?", forged)
		wantAudit(t, e.l.SelfTest(ctx), "checkpoint", "signature")
		wantBundleProblem(t, e.exportAll(nil), "checkpoint", "signature")
		e.exec(db, "UPDATE checkpoint SET size = 3, note = ?", note)
		if err := e.l.SelfTest(ctx); err != nil {
			t.Fatalf("%s: restored checkpoint: %v", name, err)
		}
	}
}

func TestTamperFileTruncated(t *testing.T) {
	e := newEnv(t, 30)
	e.l.Close()
	fi, err := os.Stat(e.path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(e.path, fi.Size()/2); err != nil {
		t.Fatal(err)
	}
	l, err := ledger.Open(e.path, opts(e.fx))
	if err == nil {
		err = l.SelfTest(context.Background())
		l.Close()
	}
	if err == nil {
		t.Fatal("a store cut in half opened and passed its self-test")
	}
}

// TestTriggersRefuseReplace: INSERT OR REPLACE (and REPLACE INTO) delete the
// conflicting row without firing DELETE triggers, so each table needs its
// own refusal (issue 17, finding 6).
func TestTriggersRefuseReplace(t *testing.T) {
	e := newEnv(t, 3)
	ctx := context.Background()
	db := e.raw()
	_, note, _ := e.l.Checkpoint(ctx)
	_, body0, _ := e.l.Record(ctx, consenttest.Statement(0).ID)
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{"INSERT OR REPLACE INTO checkpoint(one, size, note) VALUES (1, 1, ?)", []any{note}},
		{"REPLACE INTO checkpoint(one, size, note) VALUES (1, 1, ?)", []any{note}},
		{"INSERT OR REPLACE INTO hashes(idx, hash) VALUES (0, zeroblob(32))", nil},
		{"INSERT OR REPLACE INTO meta(key, value) VALUES ('kiosk_id', 'otro')", nil},
		{"INSERT OR REPLACE INTO records(idx, id, time, body) VALUES (3, ?, 0, ?)", []any{consenttest.Statement(0).ID[:], body0}},
		{"INSERT OR REPLACE INTO records(idx, id, time, body) VALUES (1, randomblob(16), 0, x'00')", nil},
	} {
		if _, err := db.Exec(q.sql, q.args...); err == nil {
			t.Errorf("%s: accepted", q.sql)
		}
	}
	if err := e.l.Audit(ctx, nil); err != nil {
		t.Fatalf("the store changed: %v", err)
	}
	e.append(3) // the ledger's own upsert still works
	if err := e.l.Audit(ctx, nil); err != nil {
		t.Fatal(err)
	}
}

// TestUpgradeV1AddsNoReplace: a version-1 store opened for writing gets the
// version-2 triggers.
func TestUpgradeV1AddsNoReplace(t *testing.T) {
	e := newEnv(t, 2)
	db := e.raw()
	for _, tr := range []string{"records_no_replace", "records_no_replace_id", "hashes_no_replace", "meta_no_replace", "checkpoint_insert_once"} {
		e.exec(db, "DROP TRIGGER "+tr)
	}
	e.exec(db, "PRAGMA user_version = 1")
	e.reopen()
	var v int
	if err := db.QueryRow("PRAGMA user_version").Scan(&v); err != nil || v != 4 {
		t.Fatalf("user_version = %d, %v; want 4", v, err)
	}
	if _, err := db.Exec("INSERT OR REPLACE INTO hashes(idx, hash) VALUES (0, zeroblob(32))"); err == nil {
		t.Fatal("upgraded store accepts INSERT OR REPLACE")
	}
	e.append(2)
}
