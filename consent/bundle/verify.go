package bundle

import (
	"crypto/ed25519"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/ventanilla-mx/ventanilla/consent"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// VerifyOpts are the auditor's own trust anchors.
type VerifyOpts struct {
	// PublicKey is the kiosk device key the auditor trusts (from the
	// municipality's inventory). Nil trusts the key inside the bundle, which
	// proves only internal consistency; the report says so.
	PublicKey ed25519.PublicKey
	// OldCheckpoint is a signed checkpoint the auditor obtained earlier (from
	// INE, or a previous bundle). The bundle must prove it extends it.
	OldCheckpoint []byte
	// Progress, if set, is called after each record.
	Progress func(records int)
	// Period, if set, is the period the auditor asked for: the signed
	// header must name exactly it.
	Period *Period
	// AllowV1 accepts a version-1 bundle (unsigned header, unproven
	// boundaries), checking its records alone; the report says so.
	AllowV1 bool
}

// Problem is one failed check and where it failed.
type Problem struct {
	Where string // "record <id> (index N, line L)", "checkpoint", "consistency proof", "line L", ...
	What  string
}

func (p Problem) String() string { return p.Where + ": " + p.What }

// Report is the outcome of Verify.
type Report struct {
	Origin        string
	TreeSize      int64
	Root          tlog.Hash
	KeyFromBundle bool   // no trusted key was given
	VerifierKey   string // the device key in signed-note verifier form, to compare out of band
	Records       int    // records that verified
	Entries       int    // record lines read
	Consistency   string // what was proven about an earlier checkpoint, if anything
	Version       int    // bundle format version
	Period        *Period
	Range         *Range
	Boundaries    []string // how each end of a period's range is proven
	IDs           []consent.ID
	Problems      []Problem
}

// OK reports whether every check held and at least one record was present.
func (r *Report) OK() bool { return len(r.Problems) == 0 && r.Records > 0 && r.Records == r.Entries }

func (r *Report) fail(where, format string, args ...any) {
	r.Problems = append(r.Problems, Problem{Where: where, What: fmt.Sprintf(format, args...)})
}

// verifier holds the state of one verification.
type verifier struct {
	opts    *VerifyOpts
	rep     *Report
	pub     ed25519.PublicKey
	cp      consent.Checkpoint
	kiosk   string
	last    int64
	seenID  map[consent.ID]int64
	hdr     *Header
	expect  *Range          // the leaf indexes the entries must cover exactly
	wantIDs map[string]bool // v2 id export: listed ids, true once seen
}

// Verify reads a bundle from r and checks all of it offline: the checkpoint
// signature, every record's encoding, device signature, kiosk and inclusion
// proof, ordering and uniqueness, the trailer, and the consistency with an
// earlier checkpoint. It never stops at the first failure while the file
// can still be read.
func Verify(r io.Reader, opts *VerifyOpts) *Report {
	if opts == nil {
		opts = &VerifyOpts{}
	}
	v := &verifier{opts: opts, rep: &Report{}, last: -1, seenID: map[consent.ID]int64{}}
	br, err := NewReader(r)
	if err != nil {
		v.rep.fail("header", "%v", err)
		return v.rep
	}
	if !v.header(br.Header()) {
		return v.rep
	}
	v.entries(br)
	v.checkRange()
	v.checkIDs()
	return v.rep
}

// checkRange verifies the promised indexes were covered exactly; order()
// already reported gaps inside them.
func (v *verifier) checkRange() {
	r := v.expect
	if r == nil {
		return
	}
	if v.last < r.Last {
		v.rep.fail(fmt.Sprintf("index %d", v.last+1), "indexes [%d, %d] promised, but records stop at index %d: records missing", r.First, r.Last, v.last)
	}
}

// checkIDs verifies every id a version-2 id export lists was present.
func (v *verifier) checkIDs() {
	for _, id := range v.hdr.IDs {
		if !v.wantIDs[id] {
			v.rep.fail("record "+id, "listed in the signed header, missing from the bundle")
		}
	}
}

func (v *verifier) header(h *Header) bool {
	v.rep.Origin = h.Origin
	v.pub = v.opts.PublicKey
	if len(h.PublicKey) != ed25519.PublicKeySize {
		v.rep.fail("header", "public key is %d bytes, want %d", len(h.PublicKey), ed25519.PublicKeySize)
	} else if v.pub == nil {
		v.pub, v.rep.KeyFromBundle = ed25519.PublicKey(h.PublicKey), true
	} else if !v.pub.Equal(ed25519.PublicKey(h.PublicKey)) {
		v.rep.fail("header", "bundle public key differs from the trusted key; checking against the trusted key")
	}
	if v.pub == nil {
		return false
	}
	if vk, err := note.NewEd25519VerifierKey(h.Origin, v.pub); err == nil {
		v.rep.VerifierKey = vk
	}
	v.kiosk = strings.TrimPrefix(h.Origin, consent.OriginPrefix)
	v.hdr, v.rep.Version, v.rep.Period, v.rep.Range = h, h.Version, h.Period, h.Range
	cp, err := consent.OpenCheckpoint([]byte(h.Checkpoint), h.Origin, v.pub)
	if err != nil {
		v.rep.fail("checkpoint", "%v", err)
		return false
	}
	v.cp, v.rep.TreeSize, v.rep.Root = cp, cp.Size, cp.Root
	v.selection(h)
	v.consistency(h)
	return true
}

func (v *verifier) entries(br *Reader) {
	for {
		e, err := br.Next()
		if errors.Is(err, io.EOF) {
			return
		}
		var bad *EntryError
		if errors.As(err, &bad) {
			v.rep.fail(fmt.Sprintf("line %d", bad.Line), "malformed record line: %v", bad.Err)
			v.rep.Entries++
			continue
		}
		if err != nil {
			v.rep.fail("end of bundle", "%v", err)
			return
		}
		v.rep.Entries++
		v.entry(e, br.Line())
		if v.opts.Progress != nil {
			v.opts.Progress(v.rep.Entries)
		}
	}
}

func (v *verifier) entry(e *Entry, line int) {
	where := fmt.Sprintf("record at index %d (line %d)", e.Index, line)
	rec, err := consent.VerifyRecord(e.Record, v.pub)
	if rec != nil {
		where = fmt.Sprintf("record %s (index %d, line %d)", rec.ID, e.Index, line)
	}
	ok := true
	if err != nil {
		v.rep.fail(where, "%v", err)
		ok = false
	}
	if rec != nil && rec.KioskID != v.kiosk {
		v.rep.fail(where, "kiosk id %q, but the log is %q", rec.KioskID, v.kiosk)
		ok = false
	}
	ok = v.order(e, rec, where) && ok
	ok = v.inclusion(e, where) && ok
	sel := rec != nil && v.selected(e.Index, rec, where)
	if ok {
		v.rep.Records++
		if sel {
			v.rep.IDs = append(v.rep.IDs, rec.ID)
		}
	}
}

func (v *verifier) order(e *Entry, rec *consent.Record, where string) bool {
	ok := true
	if r := v.expect; r != nil {
		want := max(v.last+1, r.First)
		if e.Index > want && e.Index <= r.Last+1 {
			v.rep.fail(fmt.Sprintf("index %d", want), "missing: the bundle promises every index in [%d, %d], next present is %d", r.First, r.Last, e.Index)
		}
		if e.Index < r.First || e.Index > r.Last {
			v.rep.fail(where, "outside the promised range [%d, %d]", r.First, r.Last)
			ok = false
		}
	}
	if e.Index <= v.last {
		v.rep.fail(where, "index %d after index %d: records out of order or repeated", e.Index, v.last)
		ok = false
	}
	v.last = max(v.last, e.Index)
	if rec != nil {
		if prev, dup := v.seenID[rec.ID]; dup {
			v.rep.fail(where, "record id already seen at index %d", prev)
			ok = false
		}
		v.seenID[rec.ID] = e.Index
	}
	return ok
}

func (v *verifier) inclusion(e *Entry, where string) bool {
	if e.Index < 0 || e.Index >= v.cp.Size {
		v.rep.fail(where, "index outside the checkpoint's tree of size %d", v.cp.Size)
		return false
	}
	proof, err := TlogHashes(e.Proof)
	if err != nil {
		v.rep.fail(where+" inclusion proof", "%v", err)
		return false
	}
	if err := tlog.CheckRecord(proof, v.cp.Size, v.cp.Root, e.Index, consent.LeafHash(e.Record)); err != nil {
		v.rep.fail(where+" inclusion proof", "record is not leaf %d of the checkpoint's tree of size %d (%v)", e.Index, v.cp.Size, err)
		return false
	}
	return true
}
