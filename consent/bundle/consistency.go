package bundle

import (
	"fmt"

	"github.com/ventanilla-mx/ventanilla/consent"
	"golang.org/x/mod/sumdb/tlog"
)

// consistency checks the bundle's consistency proof, if any, and the
// auditor's old checkpoint, if given.
func (v *verifier) consistency(h *Header) {
	var proven *consent.Checkpoint
	if h.Consistency != nil {
		proven = v.bundleConsistency(h)
	}
	if v.opts.OldCheckpoint == nil {
		return
	}
	old, err := consent.OpenCheckpoint(v.opts.OldCheckpoint, h.Origin, v.pub)
	if err != nil {
		v.rep.fail("old checkpoint (--checkpoint)", "%v", err)
		return
	}
	switch {
	case old.Size > v.cp.Size:
		v.rep.fail("old checkpoint (--checkpoint)", "your checkpoint has size %d, the bundle's only %d: the log was truncated or this bundle is stale", old.Size, v.cp.Size)
	case old.Size == v.cp.Size && old.Root != v.cp.Root:
		v.rep.fail("old checkpoint (--checkpoint)", "same size %d but a different root: the log was rewritten (fork)", old.Size)
	case old.Size == v.cp.Size:
		v.rep.Consistency = fmt.Sprintf("your checkpoint (size %d) equals the bundle's", old.Size)
	case proven == nil || proven.Size != old.Size:
		v.rep.fail("consistency proof", "the bundle has no consistency proof from your checkpoint (size %d); re-export with --old-checkpoint", old.Size)
	case proven.Root != old.Root:
		v.rep.fail("consistency proof", "the bundle proves a tree of size %d with a different root than your checkpoint: the log was rewritten (fork)", old.Size)
	default:
		v.rep.Consistency = fmt.Sprintf("the bundle's tree (size %d) extends your checkpoint (size %d)", v.cp.Size, old.Size)
	}
}

// bundleConsistency checks the proof carried in the bundle and returns the
// old checkpoint it proves, or nil.
func (v *verifier) bundleConsistency(h *Header) *consent.Checkpoint {
	old, err := consent.OpenCheckpoint([]byte(h.Consistency.OldCheckpoint), h.Origin, v.pub)
	if err != nil {
		v.rep.fail("consistency proof: old checkpoint", "%v", err)
		return nil
	}
	if old.Size > v.cp.Size {
		v.rep.fail("consistency proof", "old tree size %d is larger than the checkpoint's %d", old.Size, v.cp.Size)
		return nil
	}
	proof, err := TlogHashes(h.Consistency.Proof)
	if err == nil {
		err = tlog.CheckTree(proof, v.cp.Size, v.cp.Root, old.Size, old.Root)
	}
	if err != nil {
		v.rep.fail("consistency proof", "tree of size %d does not extend the old tree of size %d: %v", v.cp.Size, old.Size, err)
		return nil
	}
	if v.rep.Consistency == "" {
		v.rep.Consistency = fmt.Sprintf("the bundle's tree (size %d) extends the old checkpoint it carries (size %d)", v.cp.Size, old.Size)
	}
	return &old
}
