package ledger_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"testing"
	"time"

	"github.com/ventanilla-mx/ventanilla/consent"
	"github.com/ventanilla-mx/ventanilla/consent/bundle"
	"github.com/ventanilla-mx/ventanilla/consent/consenttest"
	"github.com/ventanilla-mx/ventanilla/consent/ledger"
)

// asV3 turns a store into its version-3 form: version 4 is version 3
// without the records_time index.
func (e *env) asV3(db *sql.DB) {
	e.exec(db, "CREATE INDEX records_time ON records(time)")
	e.exec(db, "PRAGMA user_version = 3")
}

func hasTimeIndex(t *testing.T, db *sql.DB) bool {
	var n int
	if err := db.QueryRow("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = 'records_time'").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n > 0
}

// TestUpgradeV3DropsTheTimeIndex (issue 16): a version-3 store opened for
// writing becomes version 4 without the records_time index (one page less
// per append), its records untouched; the audit passes and a period export
// still finds exactly the period's records, at both edges.
func TestUpgradeV3DropsTheTimeIndex(t *testing.T) {
	e := newEnv(t, 20)
	db := e.raw()
	e.asV3(db)
	e.reopen()
	var v int
	if err := db.QueryRow("PRAGMA user_version").Scan(&v); err != nil || v != 4 {
		t.Fatalf("user_version = %d, %v; want 4", v, err)
	}
	if hasTimeIndex(t, db) {
		t.Fatal("records_time still there after the upgrade")
	}
	ctx := context.Background()
	if err := e.l.Audit(ctx, nil); err != nil {
		t.Fatal(err)
	}
	e.append(20)
	var buf bytes.Buffer
	sel := ledger.Selection{Since: consenttest.Epoch.Add(3 * time.Second), Until: consenttest.Epoch.Add(15 * time.Second)}
	if n, err := e.l.Export(ctx, &buf, sel, e.exportOpts()); err != nil || n != 14 {
		t.Fatalf("export: %d %v", n, err)
	}
	rep := bundle.Verify(&buf, &bundle.VerifyOpts{PublicKey: e.fx.Device.Public()})
	if !rep.OK() || len(rep.IDs) != 12 || rep.IDs[0] != consenttest.Statement(3).ID || rep.IDs[11] != consenttest.Statement(14).ID {
		t.Fatalf("period bundle: ok=%v ids=%d problems=%v", rep.OK(), len(rep.IDs), rep.Problems)
	}
}

// TestUpgradeKeepsTheTimeIndexForOffTimeIDs: when a stored record's id does
// not carry its statement's time, the index stays, so a period export
// still finds that record by its time.
func TestUpgradeKeepsTheTimeIndexForOffTimeIDs(t *testing.T) {
	e := newEnv(t, 3)
	db := e.raw()
	e.asV3(db)
	st := consenttest.Statement(3)
	_, rec := e.fx.Record(t, 3)
	e.exec(db, "INSERT INTO records(idx, id, time, body) VALUES (3, ?, ?, ?)", st.ID[:], st.Time.Add(time.Hour).UnixNano(), rec)
	e.reopen()
	if !hasTimeIndex(t, db) {
		t.Fatal("records_time dropped although a record's id is off its time")
	}
}

// TestAppendRefusesAnIDOffItsTime: a statement whose id is not a UUIDv7
// of its time is refused (a period export would miss it).
func TestAppendRefusesAnIDOffItsTime(t *testing.T) {
	e := newEnv(t, 0)
	st := consenttest.Statement(0)
	st.Time = st.Time.Add(time.Second)
	if _, err := e.l.Append(context.Background(), st, consenttest.Personal(0)); err == nil {
		t.Fatal("appended a statement whose id is off its time")
	}
	id, err := consent.NewID(st.Time, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	st.ID = id
	if _, err := e.l.Append(context.Background(), st, consenttest.Personal(0)); err != nil {
		t.Fatalf("same statement with a matching id: %v", err)
	}
}
