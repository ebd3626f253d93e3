package ledger_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ventanilla-mx/ventanilla/consent"
	"github.com/ventanilla-mx/ventanilla/consent/bundle"
	"github.com/ventanilla-mx/ventanilla/consent/consenttest"
	"github.com/ventanilla-mx/ventanilla/consent/ledger"
	"github.com/ventanilla-mx/ventanilla/devicekey"
)

// The crash harness re-executes this test binary as a writer child
// (TestCrashChild) that appends forever and prints "ack <index> <id>" after
// each Append returns. The parent kills it with SIGKILL at random points and
// checks the store after each kill.
const (
	crashDirEnv   = "VENTANILLA_CONSENT_CRASH_DIR"
	crashStartEnv = "VENTANILLA_CONSENT_CRASH_START"
	crashAppends  = 220
)

func TestCrashChild(t *testing.T) {
	dir := os.Getenv(crashDirEnv)
	if dir == "" {
		t.Skip("helper process of TestCrashSafety")
	}
	start, _ := strconv.Atoi(os.Getenv(crashStartEnv))
	key, err := devicekey.Load(filepath.Join(dir, "device.key"))
	if err != nil {
		fmt.Println("err", err)
		os.Exit(3)
	}
	arc, err := consent.LoadArchivePublicKey(filepath.Join(dir, "archive.pub"))
	if err != nil {
		fmt.Println("err", err)
		os.Exit(3)
	}
	o := ledger.DefaultOpts()
	o.KioskID, o.Signer, o.Archive = consenttest.KioskID, key, arc
	l, err := ledger.Open(filepath.Join(dir, "consent.db"), o)
	if err != nil {
		fmt.Println("err", err)
		os.Exit(3)
	}
	for i := start; ; i++ {
		rc, err := l.Append(context.Background(), consenttest.Statement(i), consenttest.Personal(i))
		if err != nil {
			fmt.Println("err", err)
			os.Exit(3)
		}
		fmt.Printf("ack %d %s\n", rc.Index, rc.ID)
	}
}

func TestCrashSafety(t *testing.T) {
	if testing.Short() {
		t.Skip("kills a writer process some 20 times")
	}
	dir := t.TempDir()
	fx := consenttest.New(t)
	if err := fx.Device.WriteFile(filepath.Join(dir, "device.key")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "archive.pub"), consent.MarshalArchivePublicKey(fx.Archive.PublicKey()), 0o644); err != nil {
		t.Fatal(err)
	}
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 1))
	acked := map[int64]consent.ID{}
	var size int64
	var lastCP []byte
	for round := 0; len(acked) < crashAppends; round++ {
		n := crashRound(t, dir, size, 1+rng.IntN(25), time.Duration(rng.IntN(4000))*time.Microsecond, acked)
		size, lastCP = checkAfterCrash(t, dir, fx, acked, lastCP)
		t.Logf("round %d: %d acknowledged this round, %d in all, tree size %d", round, n, len(acked), size)
	}
}

// crashRound runs a writer from index start, kills it with SIGKILL once it
// has acknowledged kill appends and a further jitter has passed (the jitter
// spreads the kill over the phases of an append; nothing waits on it), and
// records every acknowledgement it printed.
func crashRound(t *testing.T, dir string, start int64, kill int, jitter time.Duration, acked map[int64]consent.ID) int {
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$")
	cmd.Env = append(os.Environ(), crashDirEnv+"="+dir, crashStartEnv+"="+strconv.FormatInt(start, 10))
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(out)
	n := 0
	for n < kill && sc.Scan() {
		n += recordAck(t, sc.Text(), acked)
	}
	killer := time.AfterFunc(jitter, func() { _ = cmd.Process.Signal(syscall.SIGKILL) })
	for sc.Scan() { // acks printed before the kill landed count too
		n += recordAck(t, sc.Text(), acked)
	}
	killer.Stop()
	_ = cmd.Process.Signal(syscall.SIGKILL)
	_, _ = io.Copy(io.Discard, out)
	_ = cmd.Wait()
	return n
}

func recordAck(t *testing.T, line string, acked map[int64]consent.ID) int {
	f := strings.Fields(line)
	if len(f) != 3 || f[0] != "ack" {
		if strings.HasPrefix(line, "err ") {
			t.Fatalf("writer failed: %s", line)
		}
		return 0 // test framework output
	}
	idx, err1 := strconv.ParseInt(f[1], 10, 64)
	id, err2 := consent.ParseID(f[2])
	if err1 != nil || err2 != nil {
		t.Fatalf("bad ack line %q", line)
	}
	acked[idx] = id
	return 1
}

// checkAfterCrash reopens the store and checks every acknowledged append is
// there at its index, the full audit (integrity_check, signatures, hashes,
// checkpoint) passes, and the new checkpoint extends the previous one.
func checkAfterCrash(t *testing.T, dir string, fx *consenttest.Fixture, acked map[int64]consent.ID, lastCP []byte) (int64, []byte) {
	t.Helper()
	ctx := context.Background()
	l, err := ledger.Open(filepath.Join(dir, "consent.db"), opts(fx))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if err := l.Audit(ctx, nil); err != nil {
		t.Fatalf("after kill: %v", err)
	}
	size, cp, err := l.Checkpoint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for idx, id := range acked {
		got, _, err := l.Record(ctx, id)
		if err != nil || got != idx {
			t.Fatalf("acknowledged record %s at index %d: got index %d, %v", id, idx, got, err)
		}
		if idx >= size {
			t.Fatalf("acknowledged index %d outside checkpoint size %d", idx, size)
		}
	}
	if lastCP != nil && size > 0 {
		var buf strings.Builder
		_, err := l.Export(ctx, &buf, ledger.Selection{IDs: []consent.ID{consenttest.Statement(int(size - 1)).ID}},
			&ledger.ExportOpts{Signer: fx.Device, OldCheckpoint: lastCP})
		if err != nil {
			t.Fatalf("new checkpoint does not extend the previous one: %v", err)
		}
		rep := bundle.Verify(strings.NewReader(buf.String()), &bundle.VerifyOpts{PublicKey: fx.Device.Public(), OldCheckpoint: lastCP})
		if !rep.OK() {
			t.Fatalf("bundle after kill: %v", rep.Problems)
		}
	}
	return size, cp
}
