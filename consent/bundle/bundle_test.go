package bundle_test

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"reflect"
	"runtime"
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

// allLeaves is every leaf index of a log of n records.
func allLeaves(n int) []int64 {
	leaves := make([]int64, n)
	for i := range leaves {
		leaves[i] = int64(i)
	}
	return leaves
}

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
	h := &bundle.Header{Range: r}
	if r != nil {
		h.Period = &bundle.Period{Since: consenttest.Epoch, Until: consenttest.Epoch.Add(time.Hour)}
	} else {
		for _, i := range leaves {
			rec, _ := consent.ParseRecord(m.records[i])
			h.IDs = append(h.IDs, rec.ID.String())
		}
	}
	return m.exportHeader(h, leaves, oldSize)
}

// exportHeader writes a bundle with header h (completed here) and the given
// leaves.
func (m *memLog) exportHeader(h *bundle.Header, leaves []int64, oldSize int64) []byte {
	size := int64(len(m.records))
	h.Origin, h.PublicKey, h.Checkpoint = origin, m.fx.Device.Public(), string(m.checkpoint(size))
	h.Created, h.Selection = consenttest.Epoch, "test"
	if oldSize > 0 {
		p, err := tlog.ProveTree(size, oldSize, m)
		if err != nil {
			m.t.Fatal(err)
		}
		h.Consistency = &bundle.Consistency{OldCheckpoint: string(m.checkpoint(oldSize)), Proof: bundle.ProofHashes(p)}
	}
	var buf bytes.Buffer
	w, err := bundle.NewWriter(&buf, h, m.fx.Device)
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
	other := forge(func(h *bundle.Header) { h.Version = 3 })
	wantProblem(t, verify(other, pub, nil), "header", "version 3")
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
	key, _ := devicekey.Generate()
	w, err := bundle.NewWriter(&buf, &bundle.Header{Origin: origin, Created: time.Unix(0, 0).UTC()}, key)
	if err != nil {
		t.Fatal(err)
	}
	_ = w.Close()
	if !strings.HasPrefix(buf.String(), `{"format":"ventanilla.mx/consent-bundle","version":2,`) {
		t.Fatalf("header = %s", buf.String())
	}
	if rep := bundle.Verify(&buf, nil); rep.OK() {
		t.Fatal("a bundle without records or a checkpoint verified")
	}
}

func secs(n int) time.Time { return consenttest.Epoch.Add(time.Duration(n) * time.Second) }

// exportPeriod writes a period bundle: record i was signed at Epoch + i s.
func (m *memLog) exportPeriod(leaves []int64, from, to int, r bundle.Range) []byte {
	return m.exportHeader(&bundle.Header{Period: &bundle.Period{Since: secs(from), Until: secs(to)}, Range: &r}, leaves, 0)
}

// TestVerifyRange: a period bundle covers its range without a gap, plus the
// neighbours whose times prove the boundaries.
func TestVerifyRange(t *testing.T) {
	m := newLog(t, 8)
	pub := m.fx.Device.Public()
	r := bundle.Range{First: 2, Last: 5} // records 2..5 are in [2 s, 6 s)
	rep := verify(m.exportPeriod([]int64{1, 2, 3, 4, 5, 6}, 2, 6, r), pub, nil)
	if !rep.OK() || len(rep.IDs) != 4 || len(rep.Boundaries) != 2 || rep.Records != 6 {
		t.Fatalf("complete range: ids=%d boundaries=%q problems=%v", len(rep.IDs), rep.Boundaries, rep.Problems)
	}
	wantProblem(t, verify(m.exportPeriod([]int64{1, 2, 4, 5, 6}, 2, 6, r), pub, nil), "index 3", "missing")
	wantProblem(t, verify(m.exportPeriod([]int64{1, 2, 3, 4, 5}, 2, 6, r), pub, nil), "index 6", "records missing")
	wantProblem(t, verify(m.exportPeriod([]int64{2, 3, 4, 5, 6}, 2, 6, r), pub, nil), "index 1", "missing")
	wantProblem(t, verify(m.exportPeriod([]int64{1, 2, 3, 4, 5, 6, 7}, 2, 6, r), pub, nil), "index 7", "outside the promised range")
	wantProblem(t, verify(m.exportPeriod([]int64{1, 2, 3, 4, 5, 6}, 1, 6, r), pub, nil), "index 1", "neighbour before", "inside the period")
	wantProblem(t, verify(m.exportPeriod([]int64{1, 2, 3, 4, 5, 6}, 2, 7, r), pub, nil), "index 6", "neighbour after", "inside the period")
	wantProblem(t, verify(m.exportPeriod([]int64{1, 2, 3, 4, 5, 6}, 3, 6, r), pub, nil), "index 2", "outside the period")
	wantProblem(t, verify(m.exportPeriod([]int64{2}, 2, 6, bundle.Range{First: 2, Last: 9}), pub, nil), "range [2, 9]")
	whole := verify(m.exportPeriod([]int64{0, 1, 2, 3, 4, 5, 6, 7}, 0, 60, bundle.Range{First: 0, Last: 7}), pub, nil)
	if !whole.OK() || len(whole.IDs) != 8 || !strings.Contains(strings.Join(whole.Boundaries, ";"), "index 0") {
		t.Fatalf("whole log: %q %v", whole.Boundaries, whole.Problems)
	}
	asked := &bundle.Period{Since: secs(2), Until: secs(7)}
	rep = bundle.Verify(bytes.NewReader(m.exportPeriod([]int64{1, 2, 3, 4, 5, 6}, 2, 6, r)), &bundle.VerifyOpts{PublicKey: pub, Period: asked})
	wantProblem(t, rep, "header", "period you asked for")
}

// editHeader rewrites a bundle's header as a generic JSON object.
func editHeader(t *testing.T, b []byte, edit func(h map[string]any)) []byte {
	t.Helper()
	first, rest, _ := bytes.Cut(b, []byte("\n"))
	var h map[string]any
	d := json.NewDecoder(bytes.NewReader(first))
	d.UseNumber()
	if err := d.Decode(&h); err != nil {
		t.Fatal(err)
	}
	edit(h)
	nh, _ := json.Marshal(h)
	return append(append(nh, '\n'), rest...)
}

func TestVerifyHeaderSignature(t *testing.T) {
	m := newLog(t, 8)
	pub := m.fx.Device.Public()
	good := m.exportPeriod([]int64{1, 2, 3, 4, 5, 6}, 2, 6, bundle.Range{First: 2, Last: 5})
	for name, edit := range map[string]func(map[string]any){
		"range":     func(h map[string]any) { h["range"].(map[string]any)["last"] = 4 },
		"period":    func(h map[string]any) { h["period"].(map[string]any)["until"] = secs(5) },
		"selection": func(h map[string]any) { h["selection"] = "other" },
		"created":   func(h map[string]any) { h["created"] = secs(9) },
		"unsigned":  func(h map[string]any) { delete(h, "signature") },
	} {
		wantProblem(t, verify(editHeader(t, good, edit), pub, nil), "header", "signature")
		_ = name
	}
	ids := m.export([]int64{1, 3}, 0)
	wantProblem(t, verify(editHeader(t, ids, func(h map[string]any) { h["ids"] = h["ids"].([]any)[:1] }), pub, nil), "header", "signature")
}

// TestVerifyVersion1: an old bundle fails clearly unless the auditor allows
// it, and then only its records are checked.
func TestVerifyVersion1(t *testing.T) {
	m := newLog(t, 8)
	pub := m.fx.Device.Public()
	v1 := editHeader(t, m.exportPeriod([]int64{1, 2, 3, 4, 5, 6}, 2, 6, bundle.Range{First: 2, Last: 5}), func(h map[string]any) {
		h["version"] = 1
		h["range"] = map[string]any{"first": 1, "last": 6}
		delete(h, "signature")
		delete(h, "period")
	})
	wantProblem(t, verify(v1, pub, nil), "header", "format version 1", "re-export")
	rep := bundle.Verify(bytes.NewReader(v1), &bundle.VerifyOpts{PublicKey: pub, AllowV1: true})
	if !rep.OK() || rep.Version != 1 || len(rep.IDs) != 6 {
		t.Fatalf("allowed version 1: %+v", rep)
	}
}

// TestParallelReportIsTheSame (issue 16): Verify checks records on every
// core, yet its report — every problem, in file order, the first bad
// record first — is the same with 1, 2 or 8 cores. The bundle spans
// several batches with bad records in different ones, a malformed line and
// a truncated end.
func TestParallelReportIsTheSame(t *testing.T) {
	const n = 300
	m := newLog(t, n)
	lines := bytes.Split(m.export(allLeaves(n), 0), []byte("\n"))
	for _, bad := range []int{7, 140, 141, 260} { // line k+1 holds leaf k
		var e bundle.Entry
		if err := json.Unmarshal(lines[bad+1], &e); err != nil {
			t.Fatal(err)
		}
		e.Record[len(e.Record)-70] ^= 1
		lines[bad+1], _ = json.Marshal(e)
	}
	lines[201] = []byte(`{"index":"x"}`)
	b := bytes.Join(lines[:len(lines)-5], []byte("\n")) // no trailer
	pub := m.fx.Device.Public()
	reports := map[int]*bundle.Report{}
	for _, procs := range []int{1, 2, 8} {
		func() {
			defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
			reports[procs] = verify(b, pub, nil)
		}()
	}
	first := reports[1]
	if len(first.Problems) == 0 || !strings.Contains(first.Problems[0].Where, "index 7,") {
		t.Fatalf("first problem %v, want the record at index 7", first.Problems)
	}
	wantProblem(t, first, "end of bundle", "truncated")
	wantProblem(t, first, "line 202", "malformed record line")
	for _, procs := range []int{2, 8} {
		if !reflect.DeepEqual(reports[procs], first) {
			t.Fatalf("GOMAXPROCS %d: report differs from one core's:\n%v\n%v", procs, reports[procs].Problems, first.Problems)
		}
	}
}
