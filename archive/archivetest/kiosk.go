// Package archivetest holds test helpers for the archive: an in-memory
// kiosk log (records, tree hashes, signed checkpoints) and a throwaway
// archive on a pgtest cluster. Tests only; never linked by a command.
package archivetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/ventanilla-mx/ventanilla/archive"
	"github.com/ventanilla-mx/ventanilla/consent"
	"github.com/ventanilla-mx/ventanilla/consent/consenttest"
	"github.com/ventanilla-mx/ventanilla/devicekey"
	"github.com/ventanilla-mx/ventanilla/internal/pgtest"
	"golang.org/x/mod/sumdb/tlog"
)

// Roles of the throwaway archive database.
const (
	ServiceRole   = "ventanilla_archive"
	RetentionRole = "ventanilla_retention"
	Database      = "archive"
)

// Kiosk is an in-memory consent log with a device key.
type Kiosk struct {
	ID      string
	Fx      *consenttest.Fixture
	Records [][]byte
	// LookupKey is the key Bind makes lookup commitments with (nil: the
	// package's LookupKey); change it to play a lookup-key rotation.
	LookupKey []byte
	hashes    []tlog.Hash
}

// NewKiosk makes an empty log for kiosk id.
func NewKiosk(t testing.TB, id string) *Kiosk {
	return &Kiosk{ID: id, Fx: consenttest.New(t)}
}

// Append adds n synthetic records.
func (k *Kiosk) Append(t testing.TB, n int) {
	t.Helper()
	for range n {
		i := len(k.Records)
		st := consenttest.Statement(i)
		st.KioskID = k.ID
		_, b, err := consent.NewRecord(st, consenttest.Personal(i), k.Fx.RecordOpts())
		if err != nil {
			t.Fatal(err)
		}
		k.add(t, b)
	}
}

func (k *Kiosk) add(t testing.TB, b []byte) {
	hs, err := tlog.StoredHashes(int64(len(k.Records)), b, tlog.HashReaderFunc(k.read))
	if err != nil {
		t.Fatal(err)
	}
	k.Records = append(k.Records, b)
	k.hashes = append(k.hashes, hs...)
}

func (k *Kiosk) read(idx []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(idx))
	for i, x := range idx {
		if x >= int64(len(k.hashes)) {
			return nil, fmt.Errorf("hash %d not stored", x)
		}
		out[i] = k.hashes[x]
	}
	return out, nil
}

// Checkpoint signs the checkpoint of the first size leaves.
func (k *Kiosk) Checkpoint(t testing.TB, size int64) []byte {
	t.Helper()
	c := consent.Checkpoint{Origin: consent.Origin(k.ID), Size: size}
	if size > 0 {
		root, err := tlog.TreeHash(size, tlog.HashReaderFunc(k.read))
		if err != nil {
			t.Fatal(err)
		}
		c.Root = root
	}
	b, err := consent.SignCheckpoint(c, k.Fx.Device)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Push returns a push of leaves [from, to) with the checkpoint at to.
func (k *Kiosk) Push(t testing.TB, from, to int64) *archive.Push {
	p := &archive.Push{KioskID: k.ID, Checkpoint: k.Checkpoint(t, to)}
	for i := from; i < to; i++ {
		p.Entries = append(p.Entries, archive.Entry{Index: i, Record: k.Records[i]})
	}
	return p
}

// Rewrite replaces leaf i (re-signed with the kiosk's own key, as a kiosk
// whose key was abused would) and recomputes the tree.
func (k *Kiosk) Rewrite(t testing.TB, i int) {
	t.Helper()
	st := consenttest.Statement(i + 1_000_000)
	st.KioskID = k.ID
	_, b, err := consent.NewRecord(st, consenttest.Personal(i), k.Fx.RecordOpts())
	if err != nil {
		t.Fatal(err)
	}
	old := k.Records
	k.Records, k.hashes = nil, nil
	for j, r := range old {
		if j == i {
			r = b
		}
		k.add(t, r)
	}
}

// DB is a throwaway archive database.
type DB struct {
	Cluster *pgtest.Cluster
	Service string // DSN of the service role
	Owner   string // DSN of the owner (superuser)
	Retain  string // DSN of the retention role
}

// NewDB starts a cluster, creates the roles and the database, and migrates.
func NewDB(t testing.TB, o pgtest.Options) *DB {
	t.Helper()
	c := pgtest.Start(t, o)
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, c.DSN("postgres", "postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	for _, q := range []string{"CREATE ROLE " + ServiceRole + " LOGIN", "CREATE ROLE " + RetentionRole + " LOGIN", "CREATE DATABASE " + Database} {
		if _, err := admin.Exec(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	owner, err := pgx.Connect(ctx, c.DSN("postgres", Database))
	if err != nil {
		t.Fatal(err)
	}
	defer owner.Close(ctx)
	if err := archive.Migrate(ctx, owner, ServiceRole, RetentionRole); err != nil {
		t.Fatal(err)
	}
	return &DB{Cluster: c, Service: c.DSN(ServiceRole, Database), Owner: c.DSN("postgres", Database), Retain: c.DSN(RetentionRole, Database)}
}

// Open opens the archive as the service role with a fresh archive key.
func (d *DB) Open(t testing.TB) *archive.Archive {
	t.Helper()
	key, err := devicekey.Generate()
	if err != nil {
		t.Fatal(err)
	}
	a, err := archive.Open(context.Background(), d.Service, "municipio-test", key)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Close)
	return a
}

// LookupKey is the fixtures' lookup (HMAC) key.
var LookupKey = []byte("archivetest lookup key 32 bytes!")

// Bind returns the binding of leaf i to outcome and identity.
func (k *Kiosk) Bind(t testing.TB, i int, outcome consent.Outcome, id *consent.Identity) []byte {
	t.Helper()
	r, err := consent.ParseRecord(k.Records[i])
	if err != nil {
		t.Fatal(err)
	}
	key := k.LookupKey
	if key == nil {
		key = LookupKey
	}
	o := &consent.BindingOpts{Archive: k.Fx.Archive.PublicKey(), LookupKey: key, Signer: k.Fx.Device}
	b, err := consent.NewBinding(k.Records[i], r, outcome, id, r.Time.Add(time.Minute), o)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Range implements sender.Source over the in-memory log.
func (k *Kiosk) Range(_ context.Context, from int64, n int) ([][]byte, int64, []byte, error) {
	size := int64(len(k.Records))
	to := min(size, from+int64(n))
	var out [][]byte
	if from < to {
		out = k.Records[from:to]
	}
	return out, size, k.checkpointNote(size), nil
}

func (k *Kiosk) checkpointNote(size int64) []byte {
	c := consent.Checkpoint{Origin: consent.Origin(k.ID), Size: size}
	if size > 0 {
		root, err := tlog.TreeHash(size, tlog.HashReaderFunc(k.read))
		if err != nil {
			panic(err)
		}
		c.Root = root
	}
	b, err := consent.SignCheckpoint(c, k.Fx.Device)
	if err != nil {
		panic(err)
	}
	return b
}
