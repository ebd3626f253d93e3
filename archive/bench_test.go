package archive_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/ventanilla-mx/ventanilla/archive"
	"github.com/ventanilla-mx/ventanilla/archive/archivetest"
	"github.com/ventanilla-mx/ventanilla/consent"
	"github.com/ventanilla-mx/ventanilla/internal/pgtest"
	"golang.org/x/mod/sumdb/tlog"
)

// benchSize reads ARCHIVE_BENCH_KIOSKS and ARCHIVE_BENCH_RECORDS (per
// kiosk); defaults are small so `make bench` stays short.
func benchSize() (kiosks, records int) {
	kiosks, records = 10, 100
	if v, err := strconv.Atoi(os.Getenv("ARCHIVE_BENCH_KIOSKS")); err == nil && v > 0 {
		kiosks = v
	}
	if v, err := strconv.Atoi(os.Getenv("ARCHIVE_BENCH_RECORDS")); err == nil && v > 0 {
		records = v
	}
	return kiosks, records
}

const benchBatch = 100

// BenchmarkIngest: simulated kiosks push their logs concurrently, in
// batches of 100, into a durable cluster (fsync on, synchronous_commit on).
// "archive" runs the full Ingest (verify every signature, tree hashes,
// checkpoint, countersign); "bare-insert" COPYs the same leaf, payload and
// hash rows in one transaction per batch with no checks, on the same
// cluster in the same run. Compare records/s.
func BenchmarkIngest(b *testing.B) {
	nk, nr := benchSize()
	db := archivetest.NewDB(b, pgtest.Options{Durable: true})
	kiosks := make([]*archivetest.Kiosk, nk)
	for i := range kiosks {
		kiosks[i] = archivetest.NewKiosk(b, fmt.Sprintf("kiosk-%03d", i))
		kiosks[i].Append(b, nr)
	}
	run := 0
	b.Run("archive", func(b *testing.B) {
		for range b.N {
			run++
			a := freshArchive(b, db, run, kiosks)
			pushes := map[string]map[int64]*archive.Push{} // the kiosks' side, made before timing
			for _, k := range kiosks {
				pushes[k.ID] = map[int64]*archive.Push{}
				for from := int64(0); from < int64(nr); from += benchBatch {
					pushes[k.ID][from] = k.Push(b, from, min(from+benchBatch, int64(nr)))
				}
			}
			empty := dbSize(b, db, run)
			b.ResetTimer()
			start := time.Now()
			concurrently(b, kiosks, func(k *archivetest.Kiosk, from, to int64) error {
				_, err := a.Ingest(context.Background(), pushes[k.ID][from])
				return err
			})
			b.ReportMetric(float64(nk*nr)/time.Since(start).Seconds(), "records/s")
			b.StopTimer()
			b.ReportMetric(float64(dbSize(b, db, run)-empty)/float64(nk*nr), "db-bytes/record")
		}
	})
	b.Run("bare-insert", func(b *testing.B) {
		for range b.N {
			run++
			pool := freshPool(b, db, run, kiosks)
			rows := bareRows(b, kiosks)
			b.ResetTimer()
			start := time.Now()
			concurrently(b, kiosks, func(k *archivetest.Kiosk, from, to int64) error {
				return bareInsert(context.Background(), pool, rows[k.ID], from, to)
			})
			b.ReportMetric(float64(nk*nr)/time.Since(start).Seconds(), "records/s")
			b.StopTimer()
		}
	})
}

// concurrently runs one goroutine per kiosk pushing its log in batches.
func concurrently(b *testing.B, kiosks []*archivetest.Kiosk, push func(k *archivetest.Kiosk, from, to int64) error) {
	var wg sync.WaitGroup
	errs := make(chan error, len(kiosks))
	for _, k := range kiosks {
		wg.Go(func() {
			n := int64(len(k.Records))
			for from := int64(0); from < n; from += benchBatch {
				if err := push(k, from, min(from+benchBatch, n)); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
}

// freshDatabase creates database archive_<run> with the schema and grants.
func freshDatabase(b *testing.B, db *archivetest.DB, run int) string {
	ctx := context.Background()
	name := fmt.Sprintf("bench_%d", run)
	admin, err := pgx.Connect(ctx, db.Cluster.DSN("postgres", "postgres"))
	if err != nil {
		b.Fatal(err)
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		b.Fatal(err)
	}
	owner, err := pgx.Connect(ctx, db.Cluster.DSN("postgres", name))
	if err != nil {
		b.Fatal(err)
	}
	defer owner.Close(ctx)
	if err := archive.Migrate(ctx, owner, archivetest.ServiceRole, archivetest.RetentionRole); err != nil {
		b.Fatal(err)
	}
	return name
}

func freshArchive(b *testing.B, db *archivetest.DB, run int, kiosks []*archivetest.Kiosk) *archive.Archive {
	name := freshDatabase(b, db, run)
	d := *db
	d.Service = db.Cluster.DSN(archivetest.ServiceRole, name) + " pool_max_conns=" + strconv.Itoa(len(kiosks)+2)
	a := d.Open(b)
	for _, k := range kiosks {
		if err := a.Enroll(context.Background(), k.ID, k.Fx.Device.Public()); err != nil {
			b.Fatal(err)
		}
	}
	return a
}

func freshPool(b *testing.B, db *archivetest.DB, run int, kiosks []*archivetest.Kiosk) *pgxpool.Pool {
	name := freshDatabase(b, db, run)
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, db.Cluster.DSN("postgres", name)+" pool_max_conns="+strconv.Itoa(len(kiosks)+2))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(pool.Close)
	for _, k := range kiosks {
		if _, err := pool.Exec(ctx, `INSERT INTO kiosks (kiosk_id, public_key) VALUES ($1, $2)`, k.ID, []byte(k.Fx.Device.Public())); err != nil {
			b.Fatal(err)
		}
	}
	return pool
}

type kioskRows struct {
	leaves, payloads [][]any
	hashes           [][][]any // per leaf
}

// bareRows precomputes exactly the rows Ingest stores.
func bareRows(b *testing.B, kiosks []*archivetest.Kiosk) map[string]*kioskRows {
	out := map[string]*kioskRows{}
	for _, k := range kiosks {
		kr := &kioskRows{}
		var stored []tlog.Hash
		hr := tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
			hs := make([]tlog.Hash, len(idx))
			for i, x := range idx {
				hs[i] = stored[x]
			}
			return hs, nil
		})
		for i, rec := range k.Records {
			r, err := consent.ParseRecord(rec)
			if err != nil {
				b.Fatal(err)
			}
			h := consent.LeafHash(rec)
			kr.leaves = append(kr.leaves, []any{k.ID, int64(i), r.ID[:], h[:], r.Time, r.Requests})
			kr.payloads = append(kr.payloads, []any{k.ID, int64(i), rec})
			hs, err := tlog.StoredHashes(int64(i), rec, hr)
			if err != nil {
				b.Fatal(err)
			}
			var rows [][]any
			for j, x := range hs {
				rows = append(rows, []any{k.ID, int64(len(stored) + j), x[:]})
			}
			stored = append(stored, hs...)
			kr.hashes = append(kr.hashes, rows)
		}
		out[k.ID] = kr
	}
	return out
}

func bareInsert(ctx context.Context, pool *pgxpool.Pool, kr *kioskRows, from, to int64) error {
	tx, err := pool.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(ctx)
	var hashes [][]any
	for _, h := range kr.hashes[from:to] {
		hashes = append(hashes, h...)
	}
	copies := []struct {
		table string
		cols  []string
		rows  [][]any
	}{
		{"leaves", []string{"kiosk_id", "idx", "record_id", "leaf_hash", "stmt_time", "requests"}, kr.leaves[from:to]},
		{"payloads", []string{"kiosk_id", "idx", "record"}, kr.payloads[from:to]},
		{"hashes", []string{"kiosk_id", "hidx", "hash"}, hashes},
	}
	for _, c := range copies {
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{c.table}, c.cols, pgx.CopyFromRows(c.rows)); err != nil {
			return err
		}
	}
	return tx.Commit(ctx)
}

// dbSize is the on-disk size of bench database run (tables, indexes, TOAST).
func dbSize(b *testing.B, db *archivetest.DB, run int) int64 {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, db.Cluster.DSN("postgres", fmt.Sprintf("bench_%d", run)))
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close(ctx)
	conn.Exec(ctx, "CHECKPOINT")
	var n int64
	if err := conn.QueryRow(ctx, "SELECT pg_database_size(current_database())").Scan(&n); err != nil {
		b.Fatal(err)
	}
	return n
}
