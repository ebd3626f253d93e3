package bundle_test

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/ventanilla-mx/ventanilla/consent"
	"github.com/ventanilla-mx/ventanilla/consent/bundle"
	"github.com/ventanilla-mx/ventanilla/consent/consenttest"
	"github.com/ventanilla-mx/ventanilla/devicekey"
	"golang.org/x/mod/sumdb/tlog"
)

// memLog is an in-memory consent log, the pure-Go twin of the SQLite ledger.
type memLog struct {
	t       testing.TB
	fx      *consenttest.Fixture
	hashes  []tlog.Hash
	records [][]byte
}

func (m *memLog) ReadHashes(idx []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(idx))
	for i, x := range idx {
		out[i] = m.hashes[x]
	}
	return out, nil
}

func newLog(t testing.TB, n int) *memLog {
	m := &memLog{t: t, fx: consenttest.New(t)}
	m.grow(n)
	return m
}

func (m *memLog) grow(n int) {
	for len(m.records) < n {
		_, b := m.fx.Record(m.t, len(m.records))
		h, err := tlog.StoredHashes(int64(len(m.records)), b, m)
		if err != nil {
			m.t.Fatal(err)
		}
		m.hashes = append(m.hashes, h...)
		m.records = append(m.records, b)
	}
}

var origin = consent.Origin(consenttest.KioskID)

func (m *memLog) checkpoint(size int64) []byte {
	root, err := tlog.TreeHash(size, m)
	if err != nil {
		m.t.Fatal(err)
	}
	msg, err := consent.SignCheckpoint(consent.Checkpoint{Origin: origin, Size: size, Root: root}, m.fx.Device)
	if err != nil {
		m.t.Fatal(err)
	}
	return msg
}

// export writes a bundle of the given leaves against the whole log, with a
// consistency proof from oldSize if oldSize > 0.
func (m *memLog) export(leaves []int64, oldSize int64) []byte {
	return m.exportRange(leaves, oldSize, nil)
}

func (m *memLog) exportRange(leaves []int64, oldSize int64, r *bundle.Range) []byte {
	size := int64(len(m.records))
	h := &bundle.Header{Range: r, Origin: origin, PublicKey: m.fx.Device.Public(), Checkpoint: string(m.checkpoint(size)),
		Created: consenttest.Epoch, Selection: "test"}
	if oldSize > 0 {
		p, err := tlog.ProveTree(size, oldSize, m)
		if err != nil {
			m.t.Fatal(err)
		}
		h.Consistency = &bundle.Consistency{OldCheckpoint: string(m.checkpoint(oldSize)), Proof: bundle.ProofHashes(p)}
	}
	var buf bytes.Buffer
	w, err := bundle.NewWriter(&buf, h)
	if err != nil {
		m.t.Fatal(err)
	}
	for _, i := range leaves {
		p, err := tlog.ProveRecord(size, i, m)
		if err != nil {
			m.t.Fatal(err)
		}
		if err := w.Add(&bundle.Entry{Index: i, Record: m.records[i], Proof: bundle.ProofHashes(p)}); err != nil {
			m.t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		m.t.Fatal(err)
	}
	return buf.Bytes()
}

func verify(b []byte, pub ed25519.PublicKey, old []byte) *bundle.Report {
	return bundle.Verify(bytes.NewReader(b), &bundle.VerifyOpts{PublicKey: pub, OldCheckpoint: old})
}

// wantProblem fails unless rep has a problem whose text contains every
// fragment.
func wantProblem(t *testing.T, rep *bundle.Report, fragments ...string) {
	t.Helper()
	if rep.OK() {
		t.Fatalf("bundle verified; want a problem with %q", fragments)
	}
	for _, p := range rep.Problems {
		s := p.String()
		all := true
		for _, f := range fragments {
			all = all && strings.Contains(s, f)
		}
		if all {
			return
		}
	}
	t.Fatalf("no problem mentions %q; problems: %v", fragments, rep.Problems)
}

func TestVerifyGoodBundle(t *testing.T) {
	m := newLog(t, 9)
	b := m.export([]int64{0, 3, 8}, 4)
	rep := verify(b, m.fx.Device.Public(), m.checkpoint(4))
	if !rep.OK() || rep.Records != 3 || rep.TreeSize != 9 || rep.KeyFromBundle {
		t.Fatalf("report = %+v", rep)
	}
	if !strings.Contains(rep.Consistency, "extends your checkpoint (size 4)") {
		t.Fatalf("consistency = %q", rep.Consistency)
	}
	if rep := verify(b, nil, nil); !rep.OK() || !rep.KeyFromBundle || !strings.HasPrefix(rep.VerifierKey, origin+"+") {
		t.Fatalf("without a trusted key: %+v", rep)
	}
}

func TestVerifyNamesTheTamperedRecord(t *testing.T) {
	m := newLog(t, 6)
	good := m.export([]int64{1, 2, 5}, 0)
	pub := m.fx.Device.Public()
	rec, _ := consent.ParseRecord(m.records[2])
	lines := bytes.Split(good, []byte("\n"))

	t.Run("changed byte", func(t *testing.T) {
		var e bundle.Entry
		_ = json.Unmarshal(lines[2], &e)
		e.Record[len(e.Record)-70] ^= 1 // inside the sealed box
		nl, _ := json.Marshal(e)
		b := bytes.Join(append(append(append([][]byte{}, lines[:2]...), nl), lines[3:]...), []byte("\n"))
		wantProblem(t, verify(b, pub, nil), rec.ID.String(), "index 2", "signature")
		wantProblem(t, verify(b, pub, nil), rec.ID.String(), "inclusion proof")
	})
	t.Run("reordered", func(t *testing.T) {
		b := bytes.Join([][]byte{lines[0], lines[2], lines[1], lines[3], lines[4], {}}, []byte("\n"))
		wantProblem(t, verify(b, pub, nil), "index 1", "out of order")
	})
	t.Run("record moved to another index", func(t *testing.T) {
		b := bytes.Replace(good, []byte(`"index":5`), []byte(`"index":4`), 1)
		wantProblem(t, verify(b, pub, nil), "index 4", "inclusion proof", "not leaf 4")
	})
	t.Run("truncated file", func(t *testing.T) {
		b := bytes.Join(lines[:3], []byte("\n"))
		wantProblem(t, verify(b, pub, nil), "end of bundle", "truncated")
	})
	t.Run("line removed", func(t *testing.T) {
		b := bytes.Join([][]byte{lines[0], lines[1], lines[3], lines[4], {}}, []byte("\n"))
		wantProblem(t, verify(b, pub, nil), "trailer says 3 records, file has 2")
	})
	t.Run("garbage line", func(t *testing.T) {
		b := bytes.Join([][]byte{lines[0], lines[1], []byte(`{"index":"x"}`), lines[3], lines[4], {}}, []byte("\n"))
		rep := verify(b, pub, nil)
		wantProblem(t, rep, "line 3", "malformed record line")
		if rep.Records != 2 {
			t.Fatalf("the other records were not checked: %d verified", rep.Records)
		}
	})
}

func TestVerifyRejectsForgedCheckpoint(t *testing.T) {
	m := newLog(t, 4)
	good := m.export([]int64{0}, 0)
	pub := m.fx.Device.Public()
	forger, _ := devicekey.Generate()
	var h bundle.Header
	lines := bytes.SplitN(good, []byte("\n"), 2)
	_ = json.Unmarshal(lines[0], &h)

	forge := func(mutate func(h *bundle.Header)) []byte {
		c := h
		mutate(&c)
		nh, _ := json.Marshal(c)
		return append(append(nh, '\n'), lines[1]...)
	}
	signedByForger := forge(func(h *bundle.Header) {
		root, _ := tlog.TreeHash(4, m)
		cp, _ := consent.SignCheckpoint(consent.Checkpoint{Origin: origin, Size: 4, Root: root}, forger)
		h.Checkpoint, h.PublicKey = string(cp), forger.Public()
	})
	wantProblem(t, verify(signedByForger, pub, nil), "checkpoint", "signature")
	wantProblem(t, verify(signedByForger, pub, nil), "header", "differs from the trusted key")
	editedSize := forge(func(h *bundle.Header) { h.Checkpoint = strings.Replace(h.Checkpoint, "\n4\n", "\n5\n", 1) })
	wantProblem(t, verify(editedSize, pub, nil), "checkpoint")
	other := forge(func(h *bundle.Header) { h.Version = 2 })
	wantProblem(t, verify(other, pub, nil), "header", "version 2")
}

func TestVerifyOldCheckpoint(t *testing.T) {
	m := newLog(t, 5)
	pub := m.fx.Device.Public()
	old3 := m.checkpoint(3)
	b := m.export([]int64{4}, 0)
	wantProblem(t, verify(b, pub, old3), "consistency proof", "no consistency proof from your checkpoint (size 3)")
	if rep := verify(b, pub, m.checkpoint(5)); !rep.OK() || !strings.Contains(rep.Consistency, "equals") {
		t.Fatalf("same checkpoint: %+v", rep)
	}

	// A fork: another log with the same key but different records.
	fork := &memLog{t: t, fx: m.fx}
	fork.records = append(fork.records, m.records[0])
	fork.hashes = append(fork.hashes, m.hashes[:1]...)
	_, extra := m.fx.Record(t, 99)
	h, _ := tlog.StoredHashes(1, extra, fork)
	fork.hashes, fork.records = append(fork.hashes, h...), append(fork.records, extra)
	fork.grow(3)
	wantProblem(t, verify(m.export([]int64{4}, 3), pub, fork.checkpoint(3)), "consistency proof", "different root")

	// A truncated log: the auditor already saw 5 records.
	short := &memLog{t: t, fx: m.fx, records: m.records[:4], hashes: m.hashes[:tlog.StoredHashCount(4)]}
	wantProblem(t, verify(short.export([]int64{0}, 0), pub, m.checkpoint(5)), "size 5", "truncated")
}

func TestWriterStampsFormat(t *testing.T) {
	var buf bytes.Buffer
	w, err := bundle.NewWriter(&buf, &bundle.Header{Origin: origin, Created: time.Unix(0, 0).UTC()})
	if err != nil {
		t.Fatal(err)
	}
	_ = w.Close()
	if !strings.HasPrefix(buf.String(), `{"format":"ventanilla.mx/consent-bundle","version":1,`) {
		t.Fatalf("header = %s", buf.String())
	}
	if rep := bundle.Verify(&buf, nil); rep.OK() {
		t.Fatal("a bundle without records or a checkpoint verified")
	}
}

func TestVerifyRange(t *testing.T) {
	m := newLog(t, 8)
	pub := m.fx.Device.Public()
	r := &bundle.Range{First: 2, Last: 5}
	if rep := verify(m.exportRange([]int64{2, 3, 4, 5}, 0, r), pub, nil); !rep.OK() {
		t.Fatalf("complete range: %v", rep.Problems)
	}
	wantProblem(t, verify(m.exportRange([]int64{2, 4, 5}, 0, r), pub, nil), "index 3", "missing")
	wantProblem(t, verify(m.exportRange([]int64{2, 3, 4}, 0, r), pub, nil), "index 5", "records missing")
	wantProblem(t, verify(m.exportRange([]int64{2, 3, 4, 5, 6}, 0, r), pub, nil), "index 6", "outside the promised range")
	wantProblem(t, verify(m.exportRange([]int64{2}, 0, &bundle.Range{First: 2, Last: 9}), pub, nil), "range [2, 9]")
}
