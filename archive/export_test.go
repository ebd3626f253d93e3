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
