package archive

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/ventanilla-mx/ventanilla/devicekey"
	"golang.org/x/mod/sumdb/note"
)

// NamePrefix starts the archive's note signer name; the archive's own name
// (e.g. the municipality) follows.
const NamePrefix = "ventanilla.mx/archive/"

// Errors of Ingest. None carries record contents.
var (
	ErrUnknownKiosk = errors.New("archive: kiosk not enrolled")
	ErrRejected     = errors.New("archive: push rejected")
	ErrGap          = errors.New("archive: push does not continue the held log")
	ErrFork         = errors.New("archive: the kiosk's log is not consistent with the one held (fork or rewrite); alert raised")
)

// Archive is a connection pool to the store plus the archive's signing key.
type Archive struct {
	pool    *pgxpool.Pool
	signer  note.Signer
	pub     ed25519.PublicKey
	name    string
	now     func() time.Time
	metrics metrics
}

// Open connects to the store with dsn (the service role) and the archive
// key that countersigns checkpoints, named NamePrefix+name.
func Open(ctx context.Context, dsn, name string, key *devicekey.Key) (*Archive, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("archive: database address: %w", err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("archive: connect: %w", err)
	}
	s, err := devicekey.NoteSigner(NamePrefix+name, key)
	if err != nil {
		pool.Close()
		return nil, err
	}
	return &Archive{pool: pool, signer: s, pub: key.Public(), name: NamePrefix + name, now: time.Now}, nil
}

// Close closes the pool.
func (a *Archive) Close() { a.pool.Close() }

// Verifier returns the note verifier of the archive's countersignature.
func (a *Archive) Verifier() (note.Verifier, error) { return devicekey.NoteVerifier(a.name, a.pub) }

// Enroll registers a kiosk's device public key. Enrolling the same key again
// is a no-op; another key for a known kiosk is refused (rotation starts a
// new log, docs/consent.md).
func (a *Archive) Enroll(ctx context.Context, kioskID string, pub ed25519.PublicKey) error {
	tag, err := a.pool.Exec(ctx, `INSERT INTO kiosks (kiosk_id, public_key) VALUES ($1, $2) ON CONFLICT DO NOTHING`, kioskID, []byte(pub))
	if err != nil {
		return fmt.Errorf("archive: enroll %s: %w", kioskID, err)
	}
	if tag.RowsAffected() == 0 {
		held, err := a.kioskKey(ctx, a.pool, kioskID)
		if err != nil {
			return err
		}
		if !held.Equal(pub) {
			return fmt.Errorf("archive: enroll %s: another key is enrolled", kioskID)
		}
	}
	return nil
}
