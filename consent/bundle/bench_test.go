package bundle_test

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"io"
	"runtime"
	"testing"

	"github.com/ventanilla-mx/ventanilla/consent"
	"github.com/ventanilla-mx/ventanilla/consent/bundle"
	"github.com/ventanilla-mx/ventanilla/internal/benchcpu"
	"golang.org/x/mod/sumdb/tlog"
)

// BenchmarkVerify10k verifies a bundle of 10^4 records (every record of a
// log of 10^4) in alternation with the bare reference: the same 10^4 leaf
// hashes, inclusion proofs and Ed25519 verifications on data already
// decoded in memory, on one goroutine. CPU time from getrusage; run with
// GOMAXPROCS 1 and 2 (Verify spreads the checks over the cores, the
// reference does not), where wall time shows what a second core buys.
func BenchmarkVerify10k(b *testing.B) {
	const n = 10_000
	m := newLog(b, n)
	data := m.export(allLeaves(n), n/2)
	pub := m.fx.Device.Public()
	ref := bareReference(b, m, data)
	for _, procs := range []int{1, 2} {
		b.Run(map[int]string{1: "procs=1", 2: "procs=2"}[procs], func(b *testing.B) {
			defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
			verify := func() {
				rep := bundle.Verify(bytes.NewReader(data), &bundle.VerifyOpts{PublicKey: pub})
				if !rep.OK() || rep.Records != n {
					b.Fatalf("report: %d records, problems %v", rep.Records, rep.Problems)
				}
			}
			var p benchcpu.Pair
			for b.Loop() {
				p.Step(verify, func() { ref.run(b, pub) })
			}
			b.ReportMetric(float64(len(data))/(1<<20), "MiB/bundle")
			p.Report(b, "verify", "bare", 3)
		})
	}
}

// BenchmarkParse10k only reads the 10^4-record bundle's entries.
func BenchmarkParse10k(b *testing.B) {
	const n = 10_000
	m := newLog(b, n)
	data := m.export(allLeaves(n), n/2)
	for b.Loop() {
		r, err := bundle.NewReader(bytes.NewReader(data))
		if err != nil {
			b.Fatal(err)
		}
		for {
			if _, err := r.Next(); errors.Is(err, io.EOF) {
				break
			} else if err != nil {
				b.Fatal(err)
			}
		}
	}
}

// reference is what verifying a record costs at the least: its leaf
// hash, its inclusion proof against the checkpoint's root and its Ed25519
// signature, with everything decoded beforehand.
type reference struct {
	size    int64
	root    tlog.Hash
	entries []refEntry
}

type refEntry struct {
	index    int64
	record   []byte
	msg, sig []byte
	proof    tlog.RecordProof
}

// recordSigContext is consent's signature context; if it drifted, run
// would fail on the first record.
const recordSigContext = "ventanilla.mx consent record signature v1\x00"

func bareReference(b *testing.B, m *memLog, data []byte) *reference {
	r, err := bundle.NewReader(bytes.NewReader(data))
	if err != nil {
		b.Fatal(err)
	}
	cp, err := consent.OpenCheckpoint([]byte(r.Header().Checkpoint), r.Header().Origin, m.fx.Device.Public())
	if err != nil {
		b.Fatal(err)
	}
	ref := &reference{size: cp.Size, root: cp.Root}
	for {
		e, err := r.Next()
		if errors.Is(err, io.EOF) {
			return ref
		} else if err != nil {
			b.Fatal(err)
		}
		proof, err := bundle.TlogHashes(e.Proof)
		if err != nil {
			b.Fatal(err)
		}
		body := e.Record[:len(e.Record)-ed25519.SignatureSize]
		ref.entries = append(ref.entries, refEntry{index: e.Index, record: e.Record, proof: proof,
			msg: append([]byte(recordSigContext), body...), sig: e.Record[len(body):]})
	}
}

func (r *reference) run(b *testing.B, pub ed25519.PublicKey) {
	for _, e := range r.entries {
		if tlog.CheckRecord(e.proof, r.size, r.root, e.index, consent.LeafHash(e.record)) != nil || !ed25519.Verify(pub, e.msg, e.sig) {
			b.Fatal("bare reference: a record does not verify")
		}
	}
}
