package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ventanilla-mx/ventanilla/archive/evidence"
	"github.com/ventanilla-mx/ventanilla/archive/sender"
	"github.com/ventanilla-mx/ventanilla/consent"
	"github.com/ventanilla-mx/ventanilla/consent/consenttest"
	"github.com/ventanilla-mx/ventanilla/consent/ledger"
	"github.com/ventanilla-mx/ventanilla/devicekey"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// archiveBundle builds an archive evidence bundle of one record (a
// one-leaf log, so the proof is empty) and returns its path and the
// archive key.
func archiveBundle(t *testing.T) (string, *devicekey.Key) {
	fx := consenttest.New(t)
	_, rec := fx.Record(t, 3)
	cp := consent.Checkpoint{Origin: consent.Origin(consenttest.KioskID), Size: 1, Root: consent.LeafHash(rec)}
	kioskNote, err := consent.SignCheckpoint(cp, fx.Device)
	if err != nil {
		t.Fatal(err)
	}
	akey, _ := devicekey.Generate()
	name := "ventanilla.mx/archive/test"
	as, _ := devicekey.NoteSigner(name, akey)
	own, err := note.Sign(&note.Note{Text: cp.Text()}, as)
	if err != nil {
		t.Fatal(err)
	}
	cosigned := append(bytes.Clone(kioskNote), own[len(cp.Text())+1:]...)
	h := &evidence.Header{Archive: name, ArchiveKey: akey.Public(), Created: time.Unix(0, 0).UTC(),
		Selection: evidence.Selection{Request: "req-000003"},
		Kiosks:    []evidence.Kiosk{{ID: consenttest.KioskID, PublicKey: fx.Device.Public(), Checkpoint: cosigned}}}
	leaf := tlog.RecordHash(rec)
	var buf bytes.Buffer
	if err := evidence.Write(&buf, h, []evidence.Item{{Kiosk: consenttest.KioskID, Index: 0, LeafHash: leaf[:], Record: rec, Proof: [][]byte{}}}, akey); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "ine.jsonl")
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return path, akey
}

func TestConsentVerifyArchiveEvidence(t *testing.T) {
	path, akey := archiveBundle(t)
	pub, _ := devicekey.MarshalPublicPEM(akey.Public())
	pubPath := filepath.Join(t.TempDir(), "archive.pub")
	os.WriteFile(pubPath, pub, 0o644)
	code, out, errs := runCtl(t, "consent", "verify", path, "--archive-pubkey", pubPath, "--request", "req-000003")
	if code != exitOK || !strings.Contains(out, "result:      OK") {
		t.Fatalf("exit %d\n%s%s", code, out, errs)
	}
	other, _ := devicekey.Generate()
	pub, _ = devicekey.MarshalPublicPEM(other.Public())
	os.WriteFile(pubPath, pub, 0o644)
	if code, out, _ := runCtl(t, "consent", "verify", path, "--archive-pubkey", pubPath); code != exitFailed || !strings.Contains(out, "archive key differs") {
		t.Fatalf("another archive key: exit %d\n%s", code, out)
	}
	if code, out, _ := runCtl(t, "consent", "verify", path, "--request", "req-000004"); code != exitFailed {
		t.Fatalf("another request: exit %d\n%s", code, out)
	}
}

func TestConsentSyncShowsBacklog(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "consent.db")
	fx := consenttest.New(t)
	o := ledger.DefaultOpts()
	o.KioskID, o.Signer, o.Archive = consenttest.KioskID, fx.Device, fx.Archive.PublicKey()
	l, err := ledger.Open(db, o)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		if _, err := l.Append(context.Background(), consenttest.Statement(i), consenttest.Personal(i)); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 2 {
		if err := l.Bind(context.Background(), consenttest.Statement(i).ID, consent.OutcomeCancelled, nil); err != nil {
			t.Fatal(err)
		}
	}
	l.Close()
	cursor := filepath.Join(dir, "archive-cursor")
	if err := sender.WriteCursor(cursor, 2); err != nil {
		t.Fatal(err)
	}
	if err := sender.WriteCursor(cursor+".bindings", 1); err != nil {
		t.Fatal(err)
	}
	code, out, errs := runCtl(t, "consent", "sync", "--db", db, "--cursor", cursor)
	if code != exitOK || !strings.Contains(out, "backlog:      3") || !strings.Contains(out, "oldest unsent: "+consenttest.Statement(2).Time.Format(time.RFC3339)) ||
		!strings.Contains(out, "bindings:     2 made, 1 acknowledged, backlog 1") {
		t.Fatalf("exit %d\n%s%s", code, out, errs)
	}
}
