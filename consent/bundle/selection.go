package bundle

import (
	"fmt"
	"time"

	"github.com/ventanilla-mx/ventanilla/consent"
)

// selection checks the header's version and signature and works out which
// leaf indexes (or ids) the entries must cover.
func (v *verifier) selection(h *Header) {
	if h.Version == VersionV1 {
		v.legacy(h)
		return
	}
	if err := h.verifySignature(v.pub); err != nil {
		v.rep.fail("header", "%v: the header (period, range, ids, selection) is not the one the kiosk exported", err)
	}
	if p := v.opts.Period; p != nil && (h.Period == nil || !h.Period.Since.Equal(p.Since) || !h.Period.Until.Equal(p.Until)) {
		v.rep.fail("header", "the bundle does not cover the period you asked for (%s)", p)
	}
	switch {
	case h.Period != nil && h.Range != nil && len(h.IDs) == 0:
		v.periodRange(h)
	case h.Period == nil && h.Range == nil && len(h.IDs) > 0:
		v.wantIDs = make(map[string]bool, len(h.IDs))
		for _, id := range h.IDs {
			v.wantIDs[id] = false
		}
	default:
		v.rep.fail("header", "a version-%d header names either a period with its range, or ids", Version)
	}
}

// legacy handles a version-1 header: unsigned, so nothing in it binds.
func (v *verifier) legacy(h *Header) {
	if !v.opts.AllowV1 {
		v.rep.fail("header", "format version 1: the header is unsigned and a period's boundaries are not proven, "+
			"so records could have been removed unnoticed; re-export with version %d (or allow version 1 to check the records alone)", Version)
	}
	if r := h.Range; r != nil && v.inTree(r) {
		v.expect = r
	}
}

func (v *verifier) inTree(r *Range) bool {
	if r.First < 0 || r.Last < r.First || r.Last >= v.cp.Size {
		v.rep.fail("header", "range [%d, %d] is not inside the tree of size %d", r.First, r.Last, v.cp.Size)
		return false
	}
	return true
}

// periodRange expects the range plus a neighbour on each side, unless the
// range starts at leaf 0 or ends at the checkpoint's last leaf.
func (v *verifier) periodRange(h *Header) {
	r := h.Range
	if !h.Period.Since.Before(h.Period.Until) {
		v.rep.fail("header", "empty period %s", h.Period)
	}
	if !v.inTree(r) {
		return
	}
	e := *r
	if e.First > 0 {
		e.First--
	} else {
		v.rep.Boundaries = append(v.rep.Boundaries, "starts at the log's first record (index 0)")
	}
	if e.Last < v.cp.Size-1 {
		e.Last++
	} else {
		v.rep.Boundaries = append(v.rep.Boundaries, fmt.Sprintf("ends at the checkpoint's last record (index %d)", r.Last))
	}
	v.expect = &e
}

// selected reports whether a verified entry belongs to what was asked for
// (not a boundary neighbour), checking the period boundaries on the way.
func (v *verifier) selected(idx int64, rec *consent.Record, where *place) bool {
	h := v.hdr
	switch {
	case h.Version == VersionV1:
		return true
	case v.wantIDs != nil:
		id := rec.ID.String()
		seen, listed := v.wantIDs[id]
		if !listed {
			v.rep.fail(where.String(), "not among the ids the signed header lists")
			return false
		}
		v.wantIDs[id] = true
		return !seen
	case h.Period == nil || h.Range == nil:
		return false
	}
	return v.periodBoundary(idx, rec, where)
}

func (v *verifier) periodBoundary(idx int64, rec *consent.Record, where *place) bool {
	p, r := v.hdr.Period, v.hdr.Range
	in := p.Contains(rec.Time)
	switch {
	case idx == r.First-1 || idx == r.Last+1:
		side := map[bool]string{true: "before", false: "after"}[idx == r.First-1]
		if in {
			v.rep.fail(where.String(), "the neighbour %s the range was signed inside the period: the range does not reach the period's %s boundary", side, side)
		} else {
			v.rep.Boundaries = append(v.rep.Boundaries, fmt.Sprintf("neighbour %s: index %d, signed %s, outside the period", side, idx, rec.Time.UTC().Format(time.RFC3339Nano)))
		}
		return false
	case (idx == r.First || idx == r.Last) && !in:
		v.rep.fail(where.String(), "first or last record of the range was signed outside the period")
	}
	return true
}

func (p *Period) String() string {
	return fmt.Sprintf("[%s, %s)", p.Since.UTC().Format(time.RFC3339Nano), p.Until.UTC().Format(time.RFC3339Nano))
}
