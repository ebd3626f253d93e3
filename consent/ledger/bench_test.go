package ledger_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"github.com/ventanilla-mx/ventanilla/internal/benchcpu"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ventanilla-mx/ventanilla/consent"
	"github.com/ventanilla-mx/ventanilla/consent/consenttest"
	"golang.org/x/mod/sumdb/tlog"
)

// BenchmarkDurableAppend interleaves, in the same run and on the same disk,
// three ways of durably committing one consent-sized row:
//   - append: ledger.Append (seal, sign, insert, Merkle hashes, signed
//     checkpoint, fsynced commit) — what a session waits for;
//   - store: the store half only (record already sealed and signed);
//   - bare: one INSERT of the same record bytes into a plain table with the
//     same pragmas (WAL, synchronous=FULL, BEGIN IMMEDIATE).
//
// The cost is mostly waiting for fsync, so the ratios are of wall time,
// per round of consecutive iterations; CPU time is reported beside. The
// WAL frames (pages) each commit writes are counted on fresh files.
func BenchmarkDurableAppend(b *testing.B) {
	e := newEnv(b, 0)
	barePath := filepath.Join(b.TempDir(), "bare.db")
	bare := openBare(b, barePath)
	ctx := context.Background()
	var appendVsBare, storeVsBare, cpu benchcpu.Pair
	size := 0
	for i := 0; b.Loop(); i++ {
		st := consenttest.Statement(2 * i)
		t0 := time.Now()
		if _, err := e.l.Append(ctx, st, consenttest.Personal(2*i)); err != nil {
			b.Fatal(err)
		}
		tAppend := time.Since(t0)
		st2 := consenttest.Statement(2*i + 1)
		_, rec := e.fx.Record(b, 2*i+1)
		c1, t1 := benchcpu.Now(), time.Now()
		if _, err := e.l.AppendRecord(ctx, st2, rec); err != nil {
			b.Fatal(err)
		}
		c2, t2 := benchcpu.Now(), time.Now()
		tStore := t2.Sub(t1)
		if _, err := bare.Exec("INSERT INTO t(body) VALUES (?)", rec); err != nil {
			b.Fatal(err)
		}
		tBare := time.Since(t2)
		appendVsBare.Add(tAppend, tBare)
		storeVsBare.Add(tStore, tBare)
		cpu.Add(c2-c1, benchcpu.Now()-c2)
		size = len(rec)
	}
	appendVsBare.ReportAs(b, "append", "bare", "wall", 5)
	storeVsBare.ReportAs(b, "store", "bare", "wall", 5)
	cpu.Report(b, "store", "bare", 5)
	b.ReportMetric(float64(size), "record-bytes")
	ledgerFrames, bareFrames := framesPerCommit(b)
	b.ReportMetric(ledgerFrames, "store-wal-frames/op")
	b.ReportMetric(bareFrames, "bare-wal-frames/op")
}

// framesPerCommit counts the WAL frames (one per page written) of 50
// store-half appends and of 50 bare inserts of the same records, on fresh
// files (50 commits stay under the WAL autocheckpoint, so the WAL's size
// counts them all).
func framesPerCommit(b *testing.B) (ledgerFrames, bareFrames float64) {
	const n = 50
	e := newEnv(b, 0)
	barePath := filepath.Join(b.TempDir(), "bare.db")
	bare := openBare(b, barePath)
	l0, b0 := walFrames(b, e.path), walFrames(b, barePath)
	for i := range n {
		st := consenttest.Statement(i)
		_, rec := e.fx.Record(b, i)
		if _, err := e.l.AppendRecord(context.Background(), st, rec); err != nil {
			b.Fatal(err)
		}
		if _, err := bare.Exec("INSERT INTO t(body) VALUES (?)", rec); err != nil {
			b.Fatal(err)
		}
	}
	return float64(walFrames(b, e.path)-l0) / n, float64(walFrames(b, barePath)-b0) / n
}

// walFrames is how many frames a database's WAL file holds.
func walFrames(tb testing.TB, db string) int {
	st, err := os.Stat(db + "-wal")
	if errors.Is(err, os.ErrNotExist) {
		return 0
	}
	if err != nil {
		tb.Fatal(err)
	}
	return int(max(st.Size()-32, 0) / (4096 + 24))
}

func openBare(b testing.TB, path string) *sql.DB {
	db, err := sql.Open("sqlite3", "file:"+path+"?_journal_mode=WAL&_synchronous=FULL&_txlock=immediate&_busy_timeout=5000&_stmt_cache_size=32")
	if err != nil {
		b.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	b.Cleanup(func() { db.Close() })
	if _, err := db.Exec("CREATE TABLE t (id INTEGER PRIMARY KEY, body BLOB NOT NULL)"); err != nil {
		b.Fatal(err)
	}
	return db
}

// BenchmarkProof measures Proof (lookup by id, inclusion proof from stored
// hashes against the latest checkpoint) in stores of 10^3 and 10^6 records.
// The stores are filled in bulk with small synthetic leaves: a proof never
// reads a record body, only its id and the hashes.
func BenchmarkProof(b *testing.B) {
	for _, n := range []int64{1_000, 1_000_000} {
		e := newEnv(b, 0)
		ids := bulkFill(b, e, n)
		e.reopen()
		b.Run(sizeName(n), func(b *testing.B) {
			ctx := context.Background()
			for i := 0; b.Loop(); i++ {
				if _, err := e.l.Proof(ctx, ids[(i*7919)%len(ids)]); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func sizeName(n int64) string {
	if n >= 1_000_000 {
		return "records=1e6"
	}
	return "records=1e3"
}

// bulkFill writes n synthetic leaves and their tlog hashes in one
// transaction (multi-row inserts, synchronous off: setup only), then a
// signed checkpoint, and returns a sample of ids.
func bulkFill(b *testing.B, e *env, n int64) []consent.ID {
	db, err := sql.Open("sqlite3", "file:"+e.path+"?_synchronous=OFF&_cache_size=-262144")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	tx, err := db.Begin()
	if err != nil {
		b.Fatal(err)
	}
	mem := make(memHashes, 0, 2*n)
	var ids []consent.ID
	var recs, hashes batch
	for i := range n {
		var id consent.ID
		_, _ = rand.Read(id[:])
		recs.add(b, tx, "records(idx, id, time, body)", i, id[:], i, id[:])
		h, err := tlog.StoredHashes(i, id[:], mem)
		if err != nil {
			b.Fatal(err)
		}
		for _, x := range h {
			hashes.add(b, tx, "hashes(idx, hash)", int64(len(mem)), x[:])
			mem = append(mem, x)
		}
		if i%(n/1000+1) == 0 {
			ids = append(ids, id)
		}
	}
	recs.flush(b, tx, "records(idx, id, time, body)")
	hashes.flush(b, tx, "hashes(idx, hash)")
	root, _ := tlog.TreeHash(n, mem)
	note, _ := consent.SignCheckpoint(consent.Checkpoint{Origin: e.l.Origin(), Size: n, Root: root}, e.fx.Device)
	if _, err := tx.Exec("UPDATE checkpoint SET size = ?, note = ?", n, note); err != nil {
		b.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	if _, err := db.Exec("PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		b.Fatal(err)
	}
	return ids
}

// batch accumulates rows for one multi-row INSERT.
type batch struct {
	rows int
	args []any
}

func (bt *batch) add(b *testing.B, tx *sql.Tx, table string, vals ...any) {
	bt.args = append(bt.args, vals...)
	if bt.rows++; bt.rows == 400 {
		bt.flush(b, tx, table)
	}
}

func (bt *batch) flush(b *testing.B, tx *sql.Tx, table string) {
	if bt.rows == 0 {
		return
	}
	cols := len(bt.args) / bt.rows
	row := "(?" + strings.Repeat(",?", cols-1) + ")"
	q := "INSERT INTO " + table + " VALUES " + row + strings.Repeat(","+row, bt.rows-1)
	if _, err := tx.Exec(q, bt.args...); err != nil {
		b.Fatal(err)
	}
	bt.rows, bt.args = 0, bt.args[:0]
}

type memHashes []tlog.Hash

func (m memHashes) ReadHashes(idx []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(idx))
	for i, x := range idx {
		out[i] = m[x]
	}
	return out, nil
}
