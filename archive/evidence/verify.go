package evidence

import (
	"bytes"
	"crypto/ed25519"
	"fmt"
	"slices"

	"github.com/ventanilla-mx/ventanilla/consent"
	"github.com/ventanilla-mx/ventanilla/devicekey"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// Options are what the auditor (INE) trusts.
type Options struct {
	ArchiveKey ed25519.PublicKey // nil: the header's key is used and the report says so
	Request    string            // when set, the selection must be this request id
}

// Report lists every problem found; the bundle holds only if there is none.
type Report struct {
	Records   int
	Erased    int // records whose sealed payload was erased (retention)
	Cancelled int
	Problems  []string
	Notes     []string
}

// OK reports whether every check held.
func (r *Report) OK() bool { return len(r.Problems) == 0 }

func (r *Report) fail(format string, args ...any) {
	r.Problems = append(r.Problems, fmt.Sprintf(format, args...))
}

type kioskState struct {
	pub ed25519.PublicKey
	cp  consent.Checkpoint
}

// Verify checks a parsed bundle: the archive key, each kiosk checkpoint's
// two signatures, and for every item its record signature and kiosk,
// inclusion proof, binding, and that it matches the selection.
func Verify(b *Bundle, o Options) *Report {
	rep := &Report{Records: len(b.Items)}
	h := &b.Header
	if o.ArchiveKey == nil {
		rep.Notes = append(rep.Notes, "archive key taken from the bundle itself; compare it out of band")
	} else if !bytes.Equal(o.ArchiveKey, h.ArchiveKey) {
		rep.fail("header: archive key differs from the one trusted")
	}
	if o.Request != "" && h.Selection.Request != o.Request {
		rep.fail("header: selection is not request %s", o.Request)
	}
	kiosks := checkKiosks(h, rep)
	seen := map[string]bool{}
	for i, it := range b.Items {
		where := fmt.Sprintf("line %d (kiosk %s, index %d)", i+2, it.Kiosk, it.Index)
		key := fmt.Sprintf("%s/%d", it.Kiosk, it.Index)
		if seen[key] {
			rep.fail("%s: listed twice", where)
		}
		seen[key] = true
		checkItem(&it, kiosks[it.Kiosk], h, rep, where)
	}
	return rep
}

func checkKiosks(h *Header, rep *Report) map[string]*kioskState {
	out := map[string]*kioskState{}
	av, err := devicekey.NoteVerifier(h.Archive, h.ArchiveKey)
	if err != nil {
		rep.fail("header: archive name or key: %v", err)
		return out
	}
	for _, k := range h.Kiosks {
		pub := ed25519.PublicKey(k.PublicKey)
		cp, err := consent.OpenCheckpoint(k.Checkpoint, consent.Origin(k.ID), pub)
		if err != nil {
			rep.fail("kiosk %s: checkpoint: %v", k.ID, err)
			continue
		}
		kv, _ := devicekey.NoteVerifier(consent.Origin(k.ID), pub)
		n, err := note.Open(k.Checkpoint, note.VerifierList(kv, av))
		if err != nil || len(n.Sigs) != 2 {
			rep.fail("kiosk %s: checkpoint lacks the archive's countersignature", k.ID)
			continue
		}
		out[k.ID] = &kioskState{pub: pub, cp: cp}
	}
	return out
}

func checkItem(it *Item, k *kioskState, h *Header, rep *Report, where string) {
	if k == nil {
		rep.fail("%s: no verified checkpoint for this kiosk", where)
		return
	}
	if len(it.LeafHash) != tlog.HashSize {
		rep.fail("%s: leaf hash is not 32 bytes", where)
		return
	}
	leaf := tlog.Hash(it.LeafHash)
	if it.Index < 0 || it.Index >= k.cp.Size || tlog.CheckRecord(it.proof(), k.cp.Size, k.cp.Root, it.Index, leaf) != nil {
		rep.fail("%s: inclusion proof does not hold against the countersigned checkpoint", where)
	}
	var rec *consent.Record
	if it.Record == nil {
		rep.Erased++
	} else {
		var err error
		rec, err = consent.VerifyRecord(it.Record, k.pub)
		switch {
		case err != nil:
			rep.fail("%s: record: %v", where, err)
		case consent.LeafHash(it.Record) != leaf:
			rep.fail("%s: record bytes do not hash to the leaf", where)
		case rec.KioskID != it.Kiosk:
			rep.fail("%s: record names kiosk %s", where, rec.KioskID)
		}
	}
	bnd := checkBinding(it, k, leaf, rep, where)
	checkSelection(h.Selection, rec, bnd, rep, where)
}

// proof converts the JSON proof to a tlog proof.
func (it *Item) proof() tlog.RecordProof {
	p := make(tlog.RecordProof, len(it.Proof))
	for i, h := range it.Proof {
		if len(h) == tlog.HashSize {
			p[i] = tlog.Hash(h)
		}
	}
	return p
}

func checkBinding(it *Item, k *kioskState, leaf tlog.Hash, rep *Report, where string) *consent.Binding {
	if it.Binding == nil {
		return nil
	}
	b, err := consent.VerifyBinding(it.Binding, k.pub)
	if err != nil {
		rep.fail("%s: binding: %v", where, err)
		return nil
	}
	if b.RecordHash != leaf || b.KioskID != it.Kiosk {
		rep.fail("%s: binding names another record", where)
		return nil
	}
	if b.Outcome == consent.OutcomeCancelled {
		rep.Cancelled++
	}
	return b
}

func checkSelection(s Selection, rec *consent.Record, b *consent.Binding, rep *Report, where string) {
	if s.Request != "" && rec != nil && !slices.Contains(rec.Requests, s.Request) {
		rep.fail("%s: record does not name request %s", where, s.Request)
	}
	want := s.Commitments()
	if len(want) == 0 {
		return
	}
	if b == nil {
		rep.fail("%s: credential selection without a binding", where)
		return
	}
	if !slices.ContainsFunc(b.Lookups, func(l [32]byte) bool {
		return slices.ContainsFunc(want, func(w []byte) bool { return bytes.Equal(l[:], w) })
	}) {
		rep.fail("%s: binding does not carry the credential's lookup commitment", where)
	}
	if rec != nil && ((s.Since != nil && rec.Time.Before(*s.Since)) || (s.Until != nil && !rec.Time.Before(*s.Until))) {
		rep.fail("%s: statement time outside the period asked for", where)
	}
}
