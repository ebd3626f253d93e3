package ledger_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ventanilla-mx/ventanilla/consent"
	"github.com/ventanilla-mx/ventanilla/consent/bundle"
	"github.com/ventanilla-mx/ventanilla/consent/consenttest"
	"github.com/ventanilla-mx/ventanilla/consent/ledger"
	"github.com/ventanilla-mx/ventanilla/devicekey"
)

type env struct {
	t    testing.TB
	fx   *consenttest.Fixture
	path string
	l    *ledger.Ledger
}

func opts(fx *consenttest.Fixture) *ledger.Opts {
	o := ledger.DefaultOpts()
	o.KioskID, o.Signer, o.Archive = consenttest.KioskID, fx.Device, fx.Archive.PublicKey()
	o.Now = func() time.Time { return consenttest.Epoch }
	o.LookupKey = testLookupKey
	if fx.CA != nil {
		o.Roots = fx.CA.Pool
	}
	return o
}

func newEnv(t testing.TB, n int) *env {
	t.Helper()
	e := &env{t: t, fx: consenttest.New(t), path: filepath.Join(t.TempDir(), "consent.db")}
	e.reopen()
	t.Cleanup(func() { e.l.Close() })
	for i := range n {
		e.append(i)
	}
	return e
}

func (e *env) reopen() {
	e.t.Helper()
	if e.l != nil {
		e.l.Close()
	}
	l, err := ledger.Open(e.path, opts(e.fx))
	if err != nil {
		e.t.Fatal(err)
	}
	e.l = l
}

func (e *env) append(i int) ledger.Receipt {
	e.t.Helper()
	rc, err := e.l.Append(context.Background(), consenttest.Statement(i), consenttest.Personal(i))
	if err != nil {
		e.t.Fatal(err)
	}
	return rc
}

// raw opens the store behind the ledger's back.
func (e *env) raw() *sql.DB {
	e.t.Helper()
	db, err := sql.Open("sqlite3", "file:"+e.path+"?_busy_timeout=5000")
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { db.Close() })
	return db
}

func (e *env) exec(db *sql.DB, q string, args ...any) {
	e.t.Helper()
	if _, err := db.Exec(q, args...); err != nil {
		e.t.Fatalf("%s: %v", q, err)
	}
}

func TestAppendProveReopen(t *testing.T) {
	e := newEnv(t, 0)
	ctx := context.Background()
	var rcs []ledger.Receipt
	for i := range 7 {
		rc := e.append(i)
		if rc.Index != int64(i) || rc.TreeSize != int64(i+1) {
			t.Fatalf("append %d: receipt %+v", i, rc)
		}
		if _, err := consent.OpenCheckpoint(rc.Checkpoint, e.l.Origin(), e.fx.Device.Public()); err != nil {
			t.Fatalf("append %d: receipt checkpoint: %v", i, err)
		}
		rcs = append(rcs, rc)
	}
	e.reopen()
	for _, rc := range rcs {
		p, err := e.l.Proof(ctx, rc.ID)
		if err != nil {
			t.Fatal(err)
		}
		if p.TreeSize != 7 || p.Index != rc.Index || p.RecordHash != rc.RecordHash {
			t.Fatalf("proof %+v for receipt %+v", p, rc)
		}
		if _, err := consent.VerifyInclusion(p.RecordHash, p.Index, p.Checkpoint, p.Hashes, e.l.Origin(), e.fx.Device.Public()); err != nil {
			t.Fatalf("record %s: %v", rc.ID, err)
		}
	}
	if err := e.l.SelfTest(ctx); err != nil {
		t.Fatal(err)
	}
	if err := e.l.Audit(ctx, nil); err != nil {
		t.Fatal(err)
	}
}

func TestAppendOpensOnlyWithArchiveKey(t *testing.T) {
	e := newEnv(t, 2)
	st := consenttest.Statement(1)
	_, body, err := e.l.Record(context.Background(), st.ID)
	if err != nil {
		t.Fatal(err)
	}
	r, err := consent.VerifyRecord(body, e.fx.Device.Public())
	if err != nil {
		t.Fatal(err)
	}
	p, err := consent.Open(e.fx.Archive, r)
	if err != nil || p.Name != consenttest.Personal(1).Name {
		t.Fatalf("open stored record: %v", err)
	}
	var all bytes.Buffer
	db := e.raw()
	rows, _ := db.Query("SELECT body FROM records")
	for rows.Next() {
		var b []byte
		_ = rows.Scan(&b)
		all.Write(b)
	}
	rows.Close()
	if bytes.Contains(all.Bytes(), []byte("Sintética")) || bytes.Contains(all.Bytes(), []byte("100000001")) {
		t.Fatal("a personal field is stored in the clear")
	}
}

func TestDuplicateAndLookup(t *testing.T) {
	e := newEnv(t, 3)
	ctx := context.Background()
	_, err := e.l.Append(ctx, consenttest.Statement(1), consenttest.Personal(1))
	if !errors.Is(err, ledger.ErrDuplicate) {
		t.Fatalf("err = %v, want ErrDuplicate", err)
	}
	rc, err := e.l.Lookup(ctx, consenttest.Statement(1).ID)
	if err != nil || rc.Index != 1 || rc.TreeSize != 3 {
		t.Fatalf("Lookup = %+v, %v", rc, err)
	}
	if _, err := e.l.Proof(ctx, consenttest.Statement(99).ID); !errors.Is(err, ledger.ErrNotFound) {
		t.Fatalf("err = %v, want ErrNotFound", err)
	}
	if err := e.l.Audit(ctx, nil); err != nil {
		t.Fatalf("a refused duplicate left a trace: %v", err)
	}
}

func TestTriggersRefuseChanges(t *testing.T) {
	e := newEnv(t, 3)
	db := e.raw()
	for _, q := range []string{
		"UPDATE records SET body = x'00' WHERE idx = 1",
		"DELETE FROM records WHERE idx = 2",
		"INSERT INTO records(idx, id, time, body) VALUES (7, zeroblob(16), 0, x'00')",
		"UPDATE hashes SET hash = zeroblob(32) WHERE idx = 0",
		"DELETE FROM hashes",
		"UPDATE meta SET value = 'x' WHERE key = 'kiosk_id'",
		"UPDATE checkpoint SET size = 1",
		"DELETE FROM checkpoint",
	} {
		if _, err := db.Exec(q); err == nil {
			t.Errorf("%s: allowed", q)
		}
	}
	if err := e.l.Audit(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
}

func TestOpenRefusesOtherKioskOrKey(t *testing.T) {
	e := newEnv(t, 1)
	e.l.Close()
	o := opts(e.fx)
	o.KioskID = "kiosk-otro"
	if _, err := ledger.Open(e.path, o); !errors.Is(err, ledger.ErrMismatch) {
		t.Fatalf("other kiosk: %v", err)
	}
	o = opts(e.fx)
	o.Signer, _ = devicekey.Generate()
	if _, err := ledger.Open(e.path, o); !errors.Is(err, ledger.ErrMismatch) {
		t.Fatalf("other key: %v", err)
	}
	e.reopen()
	if _, err := e.l.Append(context.Background(), &consent.Statement{KioskID: "kiosk-otro"}, consenttest.Personal(0)); err == nil {
		t.Fatal("statement of another kiosk appended")
	}
}

func TestNewStatement(t *testing.T) {
	e := newEnv(t, 0)
	st, err := e.l.NewStatement(ledger.StatementOpts{OperatorID: "op-1", Notice: consenttest.Statement(0).Notice,
		Purposes: []string{"b", "a", "b"}, Requests: []string{"req-2", "req-1"}})
	if err != nil {
		t.Fatal(err)
	}
	if !st.ID.Valid() || !st.Time.Equal(consenttest.Epoch) || strings.Join(st.Purposes, ",") != "a,b" || st.KioskID != consenttest.KioskID {
		t.Fatalf("statement %+v", st)
	}
	if _, err := e.l.Append(context.Background(), st, consenttest.Personal(0)); err != nil {
		t.Fatal(err)
	}
}

func TestEFirmaConsent(t *testing.T) {
	e := &env{t: t, fx: consenttest.New(t).WithCA(t), path: filepath.Join(t.TempDir(), "c.db")}
	e.reopen()
	defer e.l.Close()
	st := consenttest.Statement(0)
	sb, _ := st.Bytes()
	p := consenttest.Personal(0)
	p.EFirma = e.fx.CA.DefaultCitizen(t).Sign(t, sb)
	if _, err := e.l.Append(context.Background(), st, p); err != nil {
		t.Fatal(err)
	}
	st1 := consenttest.Statement(1)
	p1 := consenttest.Personal(1)
	p1.EFirma = e.fx.CA.DefaultCitizen(t).Sign(t, sb) // signed the wrong statement
	if _, err := e.l.Append(context.Background(), st1, p1); !errors.Is(err, consent.ErrEFirmaSignature) {
		t.Fatalf("err = %v, want ErrEFirmaSignature", err)
	}
}

func TestExportVerifies(t *testing.T) {
	e := newEnv(t, 12)
	ctx := context.Background()
	_, old, _ := e.l.Checkpoint(ctx)
	for i := 12; i < 20; i++ {
		e.append(i)
	}
	var buf bytes.Buffer
	sel := ledger.Selection{Since: consenttest.Epoch.Add(3 * time.Second), Until: consenttest.Epoch.Add(15 * time.Second)}
	var calls int
	n, err := e.l.Export(ctx, &buf, sel, &ledger.ExportOpts{Signer: e.fx.Device, OldCheckpoint: old, Progress: func(d, t int) { calls++ }})
	if err != nil || n != 14 || calls != 14 { // 12 in the period and a neighbour on each side
		t.Fatalf("export: n=%d calls=%d err=%v", n, calls, err)
	}
	rep := bundle.Verify(bytes.NewReader(buf.Bytes()), &bundle.VerifyOpts{PublicKey: e.fx.Device.Public(), OldCheckpoint: old})
	if !rep.OK() || rep.Records != 14 || len(rep.IDs) != 12 || rep.TreeSize != 20 || !strings.Contains(rep.Consistency, "size 12") || len(rep.Boundaries) != 2 {
		t.Fatalf("report %+v", rep)
	}
	buf.Reset()
	ids := []consent.ID{consenttest.Statement(5).ID, consenttest.Statement(2).ID, consenttest.Statement(5).ID}
	if n, err := e.l.Export(ctx, &buf, ledger.Selection{IDs: ids}, e.exportOpts()); err != nil || n != 2 {
		t.Fatalf("export ids: %d %v", n, err)
	}
	if rep := bundle.Verify(&buf, &bundle.VerifyOpts{PublicKey: e.fx.Device.Public()}); !rep.OK() || rep.IDs[0] != ids[1] {
		t.Fatalf("ids bundle: %+v", rep)
	}
	_, err = e.l.Export(ctx, &buf, ledger.Selection{IDs: []consent.ID{consenttest.Statement(50).ID}}, e.exportOpts())
	if !errors.Is(err, ledger.ErrNotFound) {
		t.Fatalf("unknown id: %v", err)
	}
}

func TestOpenReadOnly(t *testing.T) {
	e := newEnv(t, 3)
	ro, err := ledger.OpenReadOnly(e.path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	if ro.KioskID() != consenttest.KioskID || !ro.PublicKey().Equal(e.fx.Device.Public()) {
		t.Fatalf("read-only ledger: kiosk %q", ro.KioskID())
	}
	ctx := context.Background()
	if err := ro.Audit(ctx, nil); err != nil {
		t.Fatal(err)
	}
	e.append(3) // the writer keeps going while a reader is open
	if _, err := ro.Proof(ctx, consenttest.Statement(3).ID); err != nil {
		t.Fatal(err)
	}
	if _, err := ro.Append(ctx, consenttest.Statement(4), consenttest.Personal(4)); !errors.Is(err, ledger.ErrReadOnly) {
		t.Fatalf("append on read-only: %v", err)
	}
	if _, err := ledger.OpenReadOnly(filepath.Join(t.TempDir(), "absent.db"), nil); err == nil {
		t.Fatal("opened a missing store")
	}
}

func TestMetricsAndDisk(t *testing.T) {
	e := newEnv(t, 2)
	ctx := context.Background()
	_, _ = e.l.Append(ctx, consenttest.Statement(1), consenttest.Personal(1)) // duplicate
	_, _ = e.l.Proof(ctx, consenttest.Statement(0).ID)
	m := e.l.Metrics()
	if m.Appends != 2 || m.AppendFailures != 1 || m.Unwritable != 0 || m.Proofs != 1 || m.LastAppend <= 0 {
		t.Fatalf("metrics %+v", m)
	}
	if free, err := e.l.DiskFree(); err != nil || free == 0 {
		t.Fatalf("DiskFree = %d, %v", free, err)
	}
}

func TestAppendOnReadOnlyFileSystemIsUnwritable(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root writes through file permissions")
	}
	e := newEnv(t, 1)
	e.l.Close()
	if err := os.Chmod(e.path, 0o444); err != nil {
		t.Fatal(err)
	}
	l, err := ledger.Open(e.path, opts(e.fx))
	if err == nil {
		_, err = l.Append(context.Background(), consenttest.Statement(5), consenttest.Personal(5))
		l.Close()
	}
	if !errors.Is(err, ledger.ErrUnwritable) {
		t.Fatalf("err = %v, want ErrUnwritable", err)
	}
}

func (e *env) exportOpts() *ledger.ExportOpts { return &ledger.ExportOpts{Signer: e.fx.Device} }
