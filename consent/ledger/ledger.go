package ledger

import (
	"context"
	"crypto/ed25519"
	"crypto/hpke"
	"crypto/rand"
	"crypto/x509"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/ventanilla-mx/ventanilla/consent"
	"github.com/ventanilla-mx/ventanilla/devicekey"

	_ "github.com/mattn/go-sqlite3" // registers "sqlite3"
)

// Errors. Each says whether retrying is safe.
var (
	// ErrUnwritable: the store could not commit (disk full, I/O error,
	// read-only file system). Nothing was acknowledged; retrying Append is
	// safe once the cause is fixed.
	ErrUnwritable = errors.New("ledger: cannot write the consent store")
	// ErrDuplicate: a record with this id exists. Do not retry; use Lookup
	// to get its receipt (a failed commit may in fact have succeeded).
	ErrDuplicate = errors.New("ledger: a consent with this id is already recorded")
	// ErrNotFound: no record with this id. Not retryable.
	ErrNotFound = errors.New("ledger: no consent with this id")
	// ErrMismatch: the store belongs to another kiosk id or device key.
	// Not retryable: fix the configuration or the file.
	ErrMismatch = errors.New("ledger: store belongs to another kiosk or device key")
	// ErrClosed: the ledger was closed.
	ErrClosed = errors.New("ledger: closed")
	// ErrReadOnly: the ledger was opened with OpenReadOnly.
	ErrReadOnly = errors.New("ledger: opened read-only")
)

// Opts configure a Ledger.
type Opts struct {
	KioskID string           // required; the log origin is consent.Origin(KioskID)
	Signer  devicekey.Signer // required; the device key
	Archive hpke.PublicKey   // required for Append; the archive public key
	Roots   *x509.CertPool   // CA certificates for e.firma; nil refuses e.firma
	// LookupKey is the archive's lookup (HMAC) key; without it bindings
	// carry no lookup commitments.
	LookupKey []byte
	// SealAlloc provides the buffer a binding's identity is encoded into
	// before sealing (consent.BindingOpts.Alloc); nil uses the heap.
	SealAlloc func(n int) ([]byte, func(), error)
	Now       func() time.Time // clock for new statements
	Clock     func() consent.ClockSync
	Rand      io.Reader // randomness for record ids
	// BusyTimeout bounds how long a writer waits for another connection's lock.
	BusyTimeout time.Duration
}

// DefaultOpts returns options with the system clock, the kernel's clock
// synchronization state and crypto/rand; the caller fills in KioskID,
// Signer, Archive and Roots.
func DefaultOpts() *Opts {
	return &Opts{Now: time.Now, Clock: consent.KernelClockSync, Rand: rand.Reader, BusyTimeout: 5 * time.Second}
}

// Ledger is an open consent store. It is safe for concurrent use; appends
// are serialized.
type Ledger struct {
	opts   Opts
	path   string
	origin string
	pub    ed25519.PublicKey
	w      *sql.DB // one connection, BEGIN IMMEDIATE
	r      *sql.DB // readers, BEGIN DEFERRED, query_only
	mu     sync.Mutex
	closed bool
	ctr    counters
}

// dsn returns the connection string: every pragma that matters is per
// connection, so it goes in the DSN and applies to every new connection.
// Each connection keeps its prepared statements (an append runs the same
// handful, and preparing the record insert compiles its triggers).
func dsn(path string, writer bool, busy time.Duration) string {
	esc := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
	q := fmt.Sprintf("_busy_timeout=%d&_synchronous=FULL&_foreign_keys=1&_stmt_cache_size=32", busy.Milliseconds())
	if writer {
		return "file:" + esc + "?_journal_mode=WAL&_txlock=immediate&" + q
	}
	return "file:" + esc + "?_txlock=deferred&_query_only=1&" + q
}

// Open opens or creates the ledger at path. It checks the store belongs to
// opts.KioskID and opts.Signer's key.
func Open(path string, opts *Opts) (*Ledger, error) {
	if opts == nil || opts.Signer == nil || consent.Origin(opts.KioskID) == consent.OriginPrefix {
		return nil, errors.New("ledger: open: KioskID and Signer are required")
	}
	l := &Ledger{opts: *opts, path: path, origin: consent.Origin(opts.KioskID), pub: opts.Signer.Public()}
	l.defaults()
	if err := l.open(); err != nil {
		l.Close()
		return nil, err
	}
	return l, nil
}

// OpenReadOnly opens an existing ledger for export and audit, without the
// device key: the kiosk id and public key come from the store's metadata.
// Append fails with ErrReadOnly.
func OpenReadOnly(path string, opts *Opts) (*Ledger, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("ledger: open %s: %w", path, err)
	}
	l := &Ledger{path: path}
	if opts != nil {
		l.opts = *opts
	}
	l.defaults()
	var err error
	if l.r, err = sql.Open("sqlite3", dsn(path, false, l.opts.BusyTimeout)+"&mode=rw"); err != nil {
		return nil, fmt.Errorf("ledger: open %s: %w", path, err)
	}
	kiosk, pub, err := l.readMeta()
	if err != nil {
		l.Close()
		return nil, err
	}
	l.opts.KioskID, l.pub, l.origin = kiosk, pub, consent.Origin(kiosk)
	return l, nil
}

func (l *Ledger) defaults() {
	def := DefaultOpts()
	if l.opts.Now == nil {
		l.opts.Now = def.Now
	}
	if l.opts.Clock == nil {
		l.opts.Clock = def.Clock
	}
	if l.opts.Rand == nil {
		l.opts.Rand = def.Rand
	}
	if l.opts.BusyTimeout <= 0 {
		l.opts.BusyTimeout = def.BusyTimeout
	}
}

func (l *Ledger) open() error {
	var err error
	if l.w, err = sql.Open("sqlite3", dsn(l.path, true, l.opts.BusyTimeout)); err != nil {
		return fmt.Errorf("ledger: open %s: %w", l.path, err)
	}
	l.w.SetMaxOpenConns(1)
	l.w.SetConnMaxIdleTime(0)
	if err := l.initSchema(); err != nil {
		return err
	}
	if err := syncDir(filepath.Dir(l.path)); err != nil {
		return fmt.Errorf("ledger: open %s: sync directory: %w: %w", l.path, ErrUnwritable, err)
	}
	if l.r, err = sql.Open("sqlite3", dsn(l.path, false, l.opts.BusyTimeout)); err != nil {
		return fmt.Errorf("ledger: open %s for reading: %w", l.path, err)
	}
	l.r.SetMaxOpenConns(4)
	return l.checkMeta()
}

func (l *Ledger) initSchema() error {
	ctx := context.Background()
	tx, err := l.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("ledger: open %s: %w: %w", l.path, ErrUnwritable, err)
	}
	defer tx.Rollback()
	var v int
	if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return fmt.Errorf("ledger: open %s: not a readable SQLite file: %w", l.path, err)
	}
	switch v {
	case schemaVersion:
		return nil
	case 1, 2, 3:
		return l.upgrade(ctx, tx, v)
	case 0:
	default:
		return fmt.Errorf("ledger: open %s: schema version %d, this build reads %d", l.path, v, schemaVersion)
	}
	if _, err := tx.ExecContext(ctx, schema); err != nil {
		return fmt.Errorf("ledger: create schema in %s: %w", l.path, err)
	}
	pub, _ := devicekey.MarshalPublicPEM(l.opts.Signer.Public())
	for k, v := range map[string][]byte{"kiosk_id": []byte(l.opts.KioskID), "device_public_key": pub,
		"created": []byte(l.opts.Now().UTC().Format(time.RFC3339))} {
		if _, err := tx.ExecContext(ctx, "INSERT INTO meta(key, value) VALUES (?, ?)", k, v); err != nil {
			return fmt.Errorf("ledger: create %s: %w", l.path, err)
		}
	}
	if _, err := l.writeCheckpoint(ctx, tx, 0, hashReader(ctx, tx)); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("ledger: create %s: %w: %w", l.path, ErrUnwritable, err)
	}
	return nil
}

// upgrade adds what later versions added to a version-1, -2 or -3 store:
// the version-2 triggers (IF NOT EXISTS), the version-3 bindings table, and
// version 4's dropped time index, kept when a record's id does not carry
// its statement's time (so a period export still finds it by time).
func (l *Ledger) upgrade(ctx context.Context, tx *sql.Tx, from int) error {
	ddl := ""
	if from < 2 {
		ddl += noReplace
	}
	if from < 3 {
		ddl += bindingsV3
	}
	odd, err := idsOffTime(ctx, tx)
	if err != nil {
		return fmt.Errorf("ledger: upgrade schema of %s: %w", l.path, err)
	}
	if !odd {
		ddl += v4Unindexed
	}
	if _, err := tx.ExecContext(ctx, ddl+"PRAGMA user_version = 4;"); err != nil {
		return fmt.Errorf("ledger: upgrade schema of %s: %w", l.path, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("ledger: upgrade schema of %s: %w: %w", l.path, ErrUnwritable, err)
	}
	return nil
}

// idsOffTime reports whether any stored record's id names another
// millisecond than its statement time (one scan of the records, once).
func idsOffTime(ctx context.Context, tx *sql.Tx) (bool, error) {
	rows, err := tx.QueryContext(ctx, "SELECT id, time FROM records")
	if err != nil {
		return false, err
	}
	defer rows.Close()
	for rows.Next() {
		var id []byte
		var ns int64
		if err := rows.Scan(&id, &ns); err != nil {
			return false, err
		}
		if len(id) != len(consent.ID{}) || !idAtTime(consent.ID(id), time.Unix(0, ns)) {
			return true, nil
		}
	}
	return false, rows.Err()
}

// idAtTime reports whether id's UUIDv7 timestamp is t's millisecond.
func idAtTime(id consent.ID, t time.Time) bool { return id.Time().UnixMilli() == t.UnixMilli() }

func (l *Ledger) readMeta() (string, ed25519.PublicKey, error) {
	var kiosk, pubPEM []byte
	err := l.r.QueryRow("SELECT (SELECT value FROM meta WHERE key='kiosk_id'), (SELECT value FROM meta WHERE key='device_public_key')").Scan(&kiosk, &pubPEM)
	if err != nil {
		return "", nil, fmt.Errorf("ledger: open %s: read metadata (not a consent ledger?): %w", l.path, err)
	}
	pub, err := devicekey.ParsePublicPEM(pubPEM)
	if err != nil {
		return "", nil, fmt.Errorf("ledger: open %s: stored device key: %w", l.path, err)
	}
	return string(kiosk), pub, nil
}

func (l *Ledger) checkMeta() error {
	kiosk, pub, err := l.readMeta()
	if err != nil {
		return err
	}
	if kiosk != l.opts.KioskID {
		return fmt.Errorf("ledger: open %s: store is kiosk %q, configured %q: %w", l.path, kiosk, l.opts.KioskID, ErrMismatch)
	}
	if !pub.Equal(l.opts.Signer.Public()) {
		return fmt.Errorf("ledger: open %s: store was signed by another device key: %w", l.path, ErrMismatch)
	}
	return nil
}

// Origin returns the log origin, ventanilla.mx/consent/<kiosk-id>.
func (l *Ledger) Origin() string { return l.origin }

// PublicKey returns the device public key that signs records and checkpoints.
func (l *Ledger) PublicKey() ed25519.PublicKey { return l.pub }

// KioskID returns the kiosk id the store belongs to.
func (l *Ledger) KioskID() string { return l.opts.KioskID }

// Close closes the store. Appends after Close fail with ErrClosed.
func (l *Ledger) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.closed = true
	var errs []error
	for _, db := range []*sql.DB{l.r, l.w} {
		if db != nil {
			errs = append(errs, db.Close())
		}
	}
	return errors.Join(errs...)
}

// syncDir fsyncs a directory so new files in it (database, WAL) survive a
// power cut.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
