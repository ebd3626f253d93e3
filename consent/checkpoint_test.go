package consent_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/ventanilla-mx/ventanilla/consent"
	"github.com/ventanilla-mx/ventanilla/consent/consenttest"
	"github.com/ventanilla-mx/ventanilla/devicekey"
	"golang.org/x/mod/sumdb/tlog"
)

// memTree is an in-memory tlog for tests.
type memTree struct{ hashes []tlog.Hash }

func (m *memTree) ReadHashes(idx []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(idx))
	for i, x := range idx {
		out[i] = m.hashes[x]
	}
	return out, nil
}

func (m *memTree) add(t *testing.T, n int64, data []byte) {
	h, err := tlog.StoredHashes(n, data, m)
	if err != nil {
		t.Fatal(err)
	}
	m.hashes = append(m.hashes, h...)
}

func TestCheckpointSignOpen(t *testing.T) {
	f := consenttest.New(t)
	origin := consent.Origin(consenttest.KioskID)
	c := consent.Checkpoint{Origin: origin, Size: 3, Root: tlog.RecordHash([]byte("x"))}
	msg, err := consent.SignCheckpoint(c, f.Device)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(msg, []byte(origin+"\n3\n")) {
		t.Fatalf("signed note does not start with the C2SP body:\n%s", msg)
	}
	got, err := consent.OpenCheckpoint(msg, origin, f.Device.Public())
	if err != nil || got != c {
		t.Fatalf("OpenCheckpoint = %+v, %v", got, err)
	}
	other, _ := devicekey.Generate()
	if _, err := consent.OpenCheckpoint(msg, origin, other.Public()); !errors.Is(err, consent.ErrCheckpoint) {
		t.Fatalf("other key: %v", err)
	}
	if _, err := consent.OpenCheckpoint(msg, consent.Origin("kiosk-2"), f.Device.Public()); !errors.Is(err, consent.ErrCheckpoint) {
		t.Fatalf("other origin: %v", err)
	}
	forged := bytes.Replace(msg, []byte("\n3\n"), []byte("\n2\n"), 1)
	if _, err := consent.OpenCheckpoint(forged, origin, f.Device.Public()); !errors.Is(err, consent.ErrCheckpoint) {
		t.Fatalf("forged size accepted: %v", err)
	}
}

func TestParseCheckpointTextStrict(t *testing.T) {
	root := strings.Repeat("A", 43) + "="
	good := "ventanilla.mx/consent/k1\n12\n" + root + "\n"
	if _, err := consent.ParseCheckpointText(good); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{
		"", "ventanilla.mx/consent/k1\n12\n" + root, good + "ext\n",
		"ventanilla.mx/consent/k1\n012\n" + root + "\n", "ventanilla.mx/consent/k1\n-1\n" + root + "\n",
		"example.com/log\n12\n" + root + "\n", "ventanilla.mx/consent/k1\n12\nAAAA\n",
		"ventanilla.mx/consent/k 1\n12\n" + root + "\n",
	} {
		if _, err := consent.ParseCheckpointText(bad); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
}

func TestVerifyInclusion(t *testing.T) {
	f := consenttest.New(t)
	origin := consent.Origin(consenttest.KioskID)
	tree := &memTree{}
	var leaves []tlog.Hash
	for i := range 5 {
		_, b := f.Record(t, i)
		tree.add(t, int64(i), b)
		leaves = append(leaves, consent.LeafHash(b))
	}
	root, _ := tlog.TreeHash(5, tree)
	msg, _ := consent.SignCheckpoint(consent.Checkpoint{Origin: origin, Size: 5, Root: root}, f.Device)
	for i := range 5 {
		p, err := tlog.ProveRecord(5, int64(i), tree)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := consent.VerifyInclusion(leaves[i], int64(i), msg, p, origin, f.Device.Public()); err != nil {
			t.Fatalf("leaf %d: %v", i, err)
		}
		if _, err := consent.VerifyInclusion(leaves[(i+1)%5], int64(i), msg, p, origin, f.Device.Public()); err == nil {
			t.Fatalf("leaf %d: another record's hash accepted", i)
		}
	}
	p, _ := tlog.ProveRecord(5, 0, tree)
	if _, err := consent.VerifyInclusion(leaves[0], 5, msg, p, origin, f.Device.Public()); err == nil {
		t.Fatal("index past the tree accepted")
	}
}
