package archive_test

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/ventanilla-mx/ventanilla/archive"
	"github.com/ventanilla-mx/ventanilla/archive/archivetest"
	"github.com/ventanilla-mx/ventanilla/archive/evidence"
	"github.com/ventanilla-mx/ventanilla/consent"
	"github.com/ventanilla-mx/ventanilla/consent/consenttest"
)

var cred = consent.Credential{Kind: "cic", Value: "123456789"}

// ingestBound pushes 6 records: 1 and 4 verified for cred, 2 cancelled.
func ingestBound(t *testing.T, a *archive.Archive, k *archivetest.Kiosk) {
	k.Append(t, 6)
	p := k.Push(t, 0, 6)
	id := &consent.Identity{Name: "Persona Sintética", Credentials: []consent.Credential{cred}}
	p.Bindings = [][]byte{
		k.Bind(t, 1, consent.OutcomeVerified, id),
		k.Bind(t, 2, consent.OutcomeCancelled, nil),
		k.Bind(t, 4, consent.OutcomeVerified, id),
	}
	if _, err := a.Ingest(context.Background(), p); err != nil {
		t.Fatal(err)
	}
}

func export(t *testing.T, a *archive.Archive, sel evidence.Selection) ([]byte, *evidence.Report) {
	var buf bytes.Buffer
	if _, err := a.Export(context.Background(), sel, &buf); err != nil {
		t.Fatal(err)
	}
	b, err := evidence.Parse(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), evidence.Verify(b, evidence.Options{})
}

func TestExportByRequestAndCredential(t *testing.T) {
	_, a, k := setup(t)
	ingestBound(t, a, k)
	raw, rep := export(t, a, evidence.Selection{Request: "req-000003"})
	if !rep.OK() || rep.Records != 1 {
		t.Fatalf("request export: %d records, %v", rep.Records, rep.Problems)
	}
	l := consent.LookupCommitment(archivetest.LookupKey, cred)
	since, until := consenttest.Epoch, consenttest.Epoch.Add(time.Hour)
	_, rep = export(t, a, evidence.Selection{Lookup: l[:], Since: &since, Until: &until})
	if !rep.OK() || rep.Records != 2 {
		t.Fatalf("credential export: %d records, %v", rep.Records, rep.Problems)
	}
	until = consenttest.Epoch.Add(3 * time.Second)
	if _, rep = export(t, a, evidence.Selection{Lookup: l[:], Since: &since, Until: &until}); rep.Records != 1 {
		t.Fatalf("period not applied: %d records", rep.Records)
	}
	bad := bytes.Replace(raw, []byte(`"index":3`), []byte(`"index":2`), 1)
	if _, err := evidence.Parse(bytes.NewReader(bad)); err == nil {
		t.Fatal("an edited bundle parsed")
	}
}

func TestErasureKeepsLogAndProofs(t *testing.T) {
	db, a, k := setup(t)
	ingestBound(t, a, k)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, db.Retain)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	n, err := archive.Erase(ctx, conn, consenttest.Epoch.Add(3*time.Second), "retention-test")
	if err != nil || n != 3 {
		t.Fatalf("erased %d, %v", n, err)
	}
	_, rep := export(t, a, evidence.Selection{Request: "req-000001"})
	if !rep.OK() || rep.Records != 1 || rep.Erased != 1 {
		t.Fatalf("erased record: ok %v, erased %d, %v", rep.OK(), rep.Erased, rep.Problems)
	}
	_, rep = export(t, a, evidence.Selection{Request: "req-000004"})
	if !rep.OK() || rep.Erased != 0 {
		t.Fatalf("kept record: %v", rep.Problems)
	}
	// The log goes on: a later push over the erased range still extends it.
	k.Append(t, 1)
	if _, err := a.Ingest(ctx, k.Push(t, 0, 7)); err != nil {
		t.Fatalf("push after erasure: %v", err)
	}
}

// TestBindingsContradictionsRefused: a record bound as cancelled takes no
// verified binding, and a record naming one request id takes no second
// verified binding; the same binding again is a no-op.
func TestBindingsContradictionsRefused(t *testing.T) {
	_, a, k := setup(t)
	ingestBound(t, a, k) // 1 and 4 verified, 2 cancelled
	ctx := context.Background()
	id := &consent.Identity{Credentials: []consent.Credential{cred}}
	for name, b := range map[string][]byte{
		"verified after cancelled":           k.Bind(t, 2, consent.OutcomeVerified, id),
		"cancelled after verified":           k.Bind(t, 1, consent.OutcomeCancelled, nil),
		"second verified for one request id": k.Bind(t, 4, consent.OutcomeVerified, id),
	} {
		if _, err := a.Ingest(ctx, &archive.Push{KioskID: k.ID, Bindings: [][]byte{b}}); !errors.Is(err, archive.ErrRejected) {
			t.Errorf("%s: %v, want ErrRejected", name, err)
		}
	}
}

// TestExportAcrossLookupKeyRotation (docs/consent.md, "Lookup-key
// rotation"): bindings made before and after the kiosks got a new lookup
// key carry commitments under different keys; an export naming the
// credential's commitment under each key finds both, one naming a single
// key finds only its own, and the bundle verifies. A verifier must not
// pass a binding carrying neither.
func TestExportAcrossLookupKeyRotation(t *testing.T) {
	_, a, k := setup(t)
	newKey := bytes.Repeat([]byte{7}, consent.LookupKeySize)
	k.Append(t, 4)
	p := k.Push(t, 0, 4)
	id := &consent.Identity{Credentials: []consent.Credential{cred}}
	p.Bindings = [][]byte{k.Bind(t, 1, consent.OutcomeVerified, id)}
	k.LookupKey = newKey
	p.Bindings = append(p.Bindings, k.Bind(t, 3, consent.OutcomeVerified, id))
	if _, err := a.Ingest(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	old, cur := consent.LookupCommitment(archivetest.LookupKey, cred), consent.LookupCommitment(newKey, cred)
	since, until := consenttest.Epoch, consenttest.Epoch.Add(time.Hour)
	for _, c := range []struct {
		sel  evidence.Selection
		want int
	}{
		{evidence.Selection{Lookup: old[:], Since: &since, Until: &until}, 1},
		{evidence.Selection{Lookup: cur[:], Since: &since, Until: &until}, 1},
		{evidence.Selection{Lookup: cur[:], Lookups: [][]byte{old[:]}, Since: &since, Until: &until}, 2},
	} {
		if _, rep := export(t, a, c.sel); !rep.OK() || rep.Records != c.want {
			t.Fatalf("%d commitments: %d records, want %d (%v)", len(c.sel.Commitments()), rep.Records, c.want, rep.Problems)
		}
	}
	raw, _ := export(t, a, evidence.Selection{Lookup: cur[:], Lookups: [][]byte{old[:]}, Since: &since, Until: &until})
	b, err := evidence.Parse(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	other := consent.LookupCommitment(bytes.Repeat([]byte{9}, consent.LookupKeySize), cred)
	b.Header.Selection.Lookups = [][]byte{other[:]} // as if the archive had named another key
	if rep := evidence.Verify(b, evidence.Options{}); rep.OK() {
		t.Fatal("a binding carrying none of the commitments named passed")
	}
}
