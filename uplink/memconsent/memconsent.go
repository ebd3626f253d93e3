// Package memconsent builds consent logs in memory for tests of the
// verification protocol and the reference INE service's load mode: RFC
// 6962 trees with golang.org/x/mod/sumdb/tlog and checkpoints signed by a
// device key, exactly as the consent ledger does, without SQLite. (It was
// uplink/consenttest, whose name collided with consent/consenttest.) It
// must never be used for real consents, and no kiosk binary links it.
package memconsent

import (
	"crypto/hpke"
	"crypto/rand"
	"crypto/sha256"
	"fmt"
	"sync"
	"time"

	"github.com/ventanilla-mx/ventanilla/consent"

	"github.com/ventanilla-mx/ventanilla/devicekey"
	"github.com/ventanilla-mx/ventanilla/uplink"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// Log is an in-memory consent log for one kiosk. Safe for concurrent use.
type Log struct {
	mu      sync.Mutex
	kiosk   string
	origin  string
	signer  note.Signer
	device  devicekey.Signer
	archive hpke.PublicKey
	hashes  []tlog.Hash // stored hashes, tlog layout
	n       int64
}

// New starts an empty log for kioskID signed by key.
func New(kioskID string, key devicekey.Signer) (*Log, error) {
	origin := uplink.ConsentOrigin(kioskID)
	s, err := devicekey.NoteSigner(origin, key)
	if err != nil {
		return nil, err
	}
	arc, err := consent.GenerateArchiveKey()
	if err != nil {
		return nil, err
	}
	return &Log{kiosk: kioskID, origin: origin, signer: s, device: key, archive: arc.PublicKey()}, nil
}

// Consent signs a synthetic consent record that names the request ids (as
// the kiosk's session does before any capture, with one id), appends it and
// returns its proof, record included.
func (l *Log) Consent(requestIDs ...string) (uplink.ConsentProof, error) {
	b, err := l.Record(requestIDs...)
	if err != nil {
		return uplink.ConsentProof{}, err
	}
	return l.Append(b)
}

// Record signs a synthetic consent record naming the request ids without
// appending it.
func (l *Log) Record(requestIDs ...string) ([]byte, error) {
	now := time.Now().UTC()
	id, err := consent.NewID(now, rand.Reader)
	if err != nil {
		return nil, err
	}
	st := &consent.Statement{ID: id, KioskID: l.kiosk, OperatorID: "op-sim", Time: now,
		Notice:   consent.Notice{ID: "aviso-sim", Version: "1", SHA256: sha256.Sum256([]byte("aviso"))},
		Purposes: []string{"verificacion-identidad"}, Requests: consent.SortTokens(requestIDs)}
	strokes := &consent.Strokes{Width: 100, Height: 40, Strokes: []consent.Stroke{{{X: 10, Y: 10, Pressure: 32768}, {X: 60, Y: 30, T: 80, Pressure: 32768}}}}
	_, b, err := consent.NewRecord(st, &consent.Personal{Handwritten: strokes}, &consent.RecordOpts{Archive: l.archive, Signer: l.device})
	return b, err
}

type hashReader []tlog.Hash

func (h hashReader) ReadHashes(idx []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(idx))
	for i, x := range idx {
		if x < 0 || x >= int64(len(h)) {
			return nil, fmt.Errorf("memconsent: hash %d not stored", x)
		}
		out[i] = h[x]
	}
	return out, nil
}

// Append adds a record and returns its proof against a fresh checkpoint.
func (l *Log) Append(record []byte) (uplink.ConsentProof, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	hs, err := tlog.StoredHashes(l.n, record, hashReader(l.hashes))
	if err != nil {
		return uplink.ConsentProof{}, err
	}
	l.hashes = append(l.hashes, hs...)
	idx := l.n
	l.n++
	p, err := l.proofLocked(idx, tlog.RecordHash(record))
	p.Record = record
	return p, err
}

func (l *Log) proofLocked(idx int64, leaf tlog.Hash) (uplink.ConsentProof, error) {
	root, err := tlog.TreeHash(l.n, hashReader(l.hashes))
	if err != nil {
		return uplink.ConsentProof{}, err
	}
	proof, err := tlog.ProveRecord(l.n, idx, hashReader(l.hashes))
	if err != nil {
		return uplink.ConsentProof{}, err
	}
	text := consent.Checkpoint{Origin: l.origin, Size: l.n, Root: root}.Text()
	cp, err := note.Sign(&note.Note{Text: text}, l.signer)
	if err != nil {
		return uplink.ConsentProof{}, err
	}
	return uplink.ConsentProof{RecordHash: leaf, LeafIndex: idx, Checkpoint: cp, Proof: proof}, nil
}
