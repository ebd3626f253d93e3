package ledger_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/ventanilla-mx/ventanilla/consent"
	"github.com/ventanilla-mx/ventanilla/consent/consenttest"
	"github.com/ventanilla-mx/ventanilla/consent/ledger"
)

var testLookupKey = bytes.Repeat([]byte{9}, consent.LookupKeySize)

func holder(cic string) *consent.Holder {
	return &consent.Holder{Credentials: []consent.HolderCredential{{Kind: "cic", Value: []byte(cic)}}}
}

// TestBindInOrder: a binding names its record, is signed by the device
// key, carries the credential's lookup commitment; a record verified
// twice (a corrected credential) has two bindings; a cancelled binding
// for a bound record is ErrAlreadyBound, nothing stored.
func TestBindInOrder(t *testing.T) {
	e := newEnv(t, 2)
	ctx := context.Background()
	st := consenttest.Statement(2) // a consent that allows one correction
	st.Requests = append(st.Requests, "req-000002-b")
	if _, err := e.l.Append(ctx, st, consenttest.Personal(2)); err != nil {
		t.Fatal(err)
	}
	id2, id0 := consenttest.Statement(2).ID, consenttest.Statement(0).ID
	if err := e.l.Bind(ctx, id2, consent.OutcomeVerified, holder("100000001")); err != nil {
		t.Fatal(err)
	}
	if err := e.l.Bind(ctx, id0, consent.OutcomeCancelled, nil); err != nil {
		t.Fatal(err)
	}
	if err := e.l.Bind(ctx, id2, consent.OutcomeCancelled, nil); !errors.Is(err, ledger.ErrAlreadyBound) {
		t.Fatalf("second binding of a record: %v, want ErrAlreadyBound", err)
	}
	if err := e.l.Bind(ctx, id0, consent.OutcomeCancelled, nil); !errors.Is(err, ledger.ErrAlreadyBound) {
		t.Fatalf("second cancelled binding of a record: %v, want ErrAlreadyBound", err)
	}
	if err := e.l.Bind(ctx, id2, consent.OutcomeVerified, holder("100000002")); err != nil {
		t.Fatalf("binding of a corrected credential: %v", err)
	}
	if err := e.l.Bind(ctx, id2, consent.OutcomeVerified, holder("100000003")); !errors.Is(err, ledger.ErrAlreadyBound) {
		t.Fatalf("a third verified binding of a consent naming 2 request ids: %v", err)
	}
	bodies, idx, total, err := e.l.Bindings(ctx, 0, 10)
	if err != nil || total != 3 || len(bodies) != 3 || idx[0] != 2 || idx[1] != 0 || idx[2] != 2 {
		t.Fatalf("bindings: %d of %d, idx %v, %v", len(bodies), total, idx, err)
	}
	_, rec, _ := e.l.Record(ctx, id2)
	b, err := consent.VerifyBinding(bodies[0], e.fx.Device.Public())
	if err != nil || b.RecordHash != consent.LeafHash(rec) || b.Outcome != consent.OutcomeVerified {
		t.Fatalf("binding does not name its record as verified: %v", err)
	}
	want := consent.LookupCommitment(testLookupKey, consent.Credential{Kind: "cic", Value: "100000001"})
	if len(b.Lookups) != 1 || b.Lookups[0] != want {
		t.Fatal("lookup commitment missing")
	}
	if bytes.Contains(bodies[0], []byte("100000001")) {
		t.Fatal("the credential number is in the clear")
	}
	id, err := consent.OpenBinding(e.fx.Archive, b)
	if err != nil || string(id.Credentials[0].Value) != "100000001" {
		t.Fatalf("sealed identity: %v", err)
	}
	if rest, _, _, _ := e.l.Bindings(ctx, 1, 10); len(rest) != 2 {
		t.Fatalf("bindings after cursor 1: %d, want 2", len(rest))
	}
	if m := e.l.Metrics(); m.Bindings != 3 {
		t.Fatalf("bindings counted %d", m.Bindings)
	}
	e.reopen()
	if got, err := e.l.Binding(ctx, id0); err != nil || !bytes.Equal(got, bodies[1]) {
		t.Fatalf("binding after reopen: %v", err)
	}
}

// TestBindingsAppendOnly: the bindings table refuses UPDATE, DELETE,
// REPLACE and an insert out of sequence, like the log's tables.
func TestBindingsAppendOnly(t *testing.T) {
	e := newEnv(t, 2)
	ctx := context.Background()
	if err := e.l.Bind(ctx, consenttest.Statement(1).ID, consent.OutcomeCancelled, nil); err != nil {
		t.Fatal(err)
	}
	db := e.raw()
	for _, q := range []string{
		"UPDATE bindings SET body = x'00'",
		"DELETE FROM bindings",
		"INSERT OR REPLACE INTO bindings(seq, idx, body) VALUES (1, 1, x'00')",
		"INSERT OR REPLACE INTO bindings(seq, idx, body) VALUES (1, 0, x'00')",
		"INSERT INTO bindings(seq, idx, body) VALUES (5, 0, x'00')",
	} {
		if _, err := db.Exec(q); err == nil {
			t.Errorf("%s: accepted", q)
		}
	}
	if _, _, total, err := e.l.Bindings(ctx, 0, 10); err != nil || total != 1 {
		t.Fatalf("bindings now %d, %v", total, err)
	}
}

// TestUpgradeV2AddsBindings: a version-2 store (no bindings table) opened
// for writing becomes version 3 with its records unchanged, and binds.
func TestUpgradeV2AddsBindings(t *testing.T) {
	e := newEnv(t, 2)
	db := e.raw()
	for _, tr := range []string{"bindings_append_only_update", "bindings_append_only_delete", "bindings_next_seq", "bindings_no_replace", "bindings_idx"} {
		if tr == "bindings_idx" {
			e.exec(db, "DROP INDEX "+tr)
			continue
		}
		e.exec(db, "DROP TRIGGER "+tr)
	}
	e.exec(db, "DROP TABLE bindings")
	e.exec(db, "PRAGMA user_version = 2")
	e.reopen()
	var v int
	if err := db.QueryRow("PRAGMA user_version").Scan(&v); err != nil || v != 4 {
		t.Fatalf("user_version = %d, %v; want 4", v, err)
	}
	ctx := context.Background()
	if err := e.l.Audit(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if err := e.l.Bind(ctx, consenttest.Statement(0).ID, consent.OutcomeCancelled, nil); err != nil {
		t.Fatal(err)
	}
}

// TestAuditChecksBindings: a binding altered behind the ledger's back (its
// triggers dropped) is reported by the full audit.
func TestAuditChecksBindings(t *testing.T) {
	e := newEnv(t, 2)
	ctx := context.Background()
	if err := e.l.Bind(ctx, consenttest.Statement(1).ID, consent.OutcomeVerified, holder("100000001")); err != nil {
		t.Fatal(err)
	}
	if err := e.l.Audit(ctx, nil); err != nil {
		t.Fatal(err)
	}
	db := e.raw()
	e.exec(db, "DROP TRIGGER bindings_append_only_update")
	e.exec(db, "UPDATE bindings SET idx = 0")
	err := e.l.Audit(ctx, nil)
	if !ledger.IsAuditError(err) || !strings.Contains(err.Error(), "does not name the record") {
		t.Fatalf("audit of a moved binding: %v", err)
	}
}
