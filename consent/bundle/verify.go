package bundle

import (
	"crypto/ed25519"
	"errors"
	"fmt"
	"io"
	"runtime"
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

// entries reads the record lines and checks them. The checks that need
// nothing but the record, the trusted key and the checkpoint (signature,
// encoding, inclusion proof: nearly all the CPU) run on every core; what
// depends on the records before (order, duplicates, the selection, the
// report) runs in file order, so the report, its first problem included,
// is the same whatever the number of cores.
func (v *verifier) entries(br *Reader) {
	workers := runtime.GOMAXPROCS(0)
	if workers == 1 {
		for {
			b, more := readBatch(br, 1)
			for i := range b.items {
				v.check(&b.items[i])
				v.apply(&b.items[i])
			}
			if !more {
				return
			}
		}
	}
	ordered := make(chan *batch, 2*workers)
	work := make(chan *batch, 2*workers)
	go func() {
		defer close(ordered)
		defer close(work)
		for more := true; more; {
			var b *batch
			b, more = readBatch(br, batchSize)
			work <- b
			ordered <- b
		}
	}()
	for range workers {
		go func() {
			for b := range work {
				for i := range b.items {
					v.check(&b.items[i])
				}
				close(b.done)
			}
		}()
	}
	for b := range ordered {
		<-b.done
		for i := range b.items {
			v.apply(&b.items[i])
		}
	}
}

// batchSize is the record lines handed to a core at a time (~250 KB).
const batchSize = 64

// batch is consecutive record lines; done is closed once checked.
type batch struct {
	items []checked
	done  chan struct{}
}

// checked is one record line and the outcome of its stateless checks.
type checked struct {
	e      *Entry
	line   int
	err    error // from the reader: a malformed line, or the end
	rec    *consent.Record
	recErr error
	incl   *Problem // inclusion problem; Where is a suffix of the record's place
}

// readBatch reads up to n record lines; more is false at the end of the
// bundle (the trailer, or an error that ends reading).
func readBatch(br *Reader, n int) (b *batch, more bool) {
	b = &batch{items: make([]checked, 0, n), done: make(chan struct{})}
	for len(b.items) < n {
		e, err := br.Next()
		if errors.Is(err, io.EOF) {
			return b, false
		}
		b.items = append(b.items, checked{e: e, line: br.Line(), err: err})
		if err != nil && !errors.As(err, new(*EntryError)) {
			return b, false
		}
	}
	return b, true
}

// check runs the checks that read no state of the verifier's but what
// header() set; it is safe on several goroutines.
func (v *verifier) check(c *checked) {
	if c.err != nil {
		return
	}
	c.rec, c.recErr = consent.VerifyRecord(c.e.Record, v.pub)
	c.incl = v.inclusion(c.e)
}

// apply reports one line's outcome, in file order.
func (v *verifier) apply(c *checked) {
	var bad *EntryError
	switch {
	case errors.As(c.err, &bad):
		v.rep.fail(fmt.Sprintf("line %d", bad.Line), "malformed record line: %v", bad.Err)
		v.rep.Entries++
		return
	case c.err != nil:
		v.rep.fail("end of bundle", "%v", c.err)
		return
	}
	v.rep.Entries++
	v.entry(c)
	if v.opts.Progress != nil {
		v.opts.Progress(v.rep.Entries)
	}
}

// place names a record in a problem; the text is built only when a
// problem is reported.
type place struct {
	rec   *consent.Record
	index int64
	line  int
}

func (p *place) String() string {
	if p.rec != nil {
		return fmt.Sprintf("record %s (index %d, line %d)", p.rec.ID, p.index, p.line)
	}
	return fmt.Sprintf("record at index %d (line %d)", p.index, p.line)
}

func (v *verifier) entry(c *checked) {
	e, rec := c.e, c.rec
	where := &place{rec: rec, index: e.Index, line: c.line}
	ok := true
	if c.recErr != nil {
		v.rep.fail(where.String(), "%v", c.recErr)
		ok = false
	}
	if rec != nil && rec.KioskID != v.kiosk {
		v.rep.fail(where.String(), "kiosk id %q, but the log is %q", rec.KioskID, v.kiosk)
		ok = false
	}
	ok = v.order(e, rec, where) && ok
	if c.incl != nil {
		v.rep.fail(where.String()+c.incl.Where, "%s", c.incl.What)
		ok = false
	}
	sel := rec != nil && v.selected(e.Index, rec, where)
	if ok {
		v.rep.Records++
		if sel {
			v.rep.IDs = append(v.rep.IDs, rec.ID)
		}
	}
}

func (v *verifier) order(e *Entry, rec *consent.Record, where *place) bool {
	ok := true
	if r := v.expect; r != nil {
		want := max(v.last+1, r.First)
		if e.Index > want && e.Index <= r.Last+1 {
			v.rep.fail(fmt.Sprintf("index %d", want), "missing: the bundle promises every index in [%d, %d], next present is %d", r.First, r.Last, e.Index)
		}
		if e.Index < r.First || e.Index > r.Last {
			v.rep.fail(where.String(), "outside the promised range [%d, %d]", r.First, r.Last)
			ok = false
		}
	}
	if e.Index <= v.last {
		v.rep.fail(where.String(), "index %d after index %d: records out of order or repeated", e.Index, v.last)
		ok = false
	}
	v.last = max(v.last, e.Index)
	if rec != nil {
		if prev, dup := v.seenID[rec.ID]; dup {
			v.rep.fail(where.String(), "record id already seen at index %d", prev)
			ok = false
		}
		v.seenID[rec.ID] = e.Index
	}
	return ok
}

// inclusion checks e's inclusion proof against the checkpoint; the
// problem's Where is appended to the record's place.
func (v *verifier) inclusion(e *Entry) *Problem {
	if e.Index < 0 || e.Index >= v.cp.Size {
		return &Problem{What: fmt.Sprintf("index outside the checkpoint's tree of size %d", v.cp.Size)}
	}
	proof, err := TlogHashes(e.Proof)
	if err != nil {
		return &Problem{Where: " inclusion proof", What: err.Error()}
	}
	if err := tlog.CheckRecord(proof, v.cp.Size, v.cp.Root, e.Index, consent.LeafHash(e.Record)); err != nil {
		return &Problem{Where: " inclusion proof", What: fmt.Sprintf("record is not leaf %d of the checkpoint's tree of size %d (%v)", e.Index, v.cp.Size, err)}
	}
	return nil
}
