package daemon

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/ventanilla-mx/ventanilla/consent"
	"github.com/ventanilla-mx/ventanilla/consent/bundle"
	"github.com/ventanilla-mx/ventanilla/consent/consenttest"
	"github.com/ventanilla-mx/ventanilla/consent/ledger"
	"github.com/ventanilla-mx/ventanilla/daemon/daemontest"
	"github.com/ventanilla-mx/ventanilla/health"
)

// tamperedLedger writes n consents into the kiosk's ledger and changes one
// byte of the sealed box of the middle record, behind the ledger's back.
func tamperedLedger(t *testing.T, env *daemontest.Env, n int) {
	t.Helper()
	cfg := env.Config
	archive, err := consent.LoadArchivePublicKey(cfg.Consent.ArchivePublicKey)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(cfg.ConsentDB()), 0o700); err != nil {
		t.Fatal(err)
	}
	o := ledger.DefaultOpts()
	o.KioskID, o.Signer, o.Archive = cfg.Kiosk.ID, env.Device, archive
	l, err := ledger.Open(cfg.ConsentDB(), o)
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		st := consenttest.Statement(i)
		st.KioskID = cfg.Kiosk.ID
		if _, err := l.Append(context.Background(), st, consenttest.Personal(i)); err != nil {
			t.Fatal(err)
		}
	}
	l.Close()
	db, err := sql.Open("sqlite3", "file:"+cfg.ConsentDB())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range []string{"DROP TRIGGER records_append_only_update",
		"UPDATE records SET body = substr(body, 1, length(body) - 80) || x'5a' || substr(body, length(body) - 78) WHERE idx = 2"} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

// TestTamperedLedgerNotReady is issue 17, finding 6: the startup self-test
// (newest record only) missed a changed middle record and the daemon
// started ready on a tampered log. The full audit at start raises
// consent.integrity.
func TestTamperedLedgerNotReady(t *testing.T) {
	env := daemontest.Provision(t, daemontest.Opts{})
	tamperedLedger(t, env, 5)
	n := newRecNotifier()
	startDaemon(t, Options{Config: env.Config, Notifier: n, wire: wireAll,
		ClockSynced: func() (bool, error) { return true, nil }})
	n.waitFor(t, "READY=1")
	var rep HealthReport
	code := getJSON(t, unixClient(env.Config.SocketPath()), "GET", "/v1/health", &rep)
	for _, s := range rep.NotReady {
		if s.Code == condConsentIntegrity {
			return
		}
	}
	t.Fatalf("health = %d, not ready: %+v; want %s", code, rep.NotReady, condConsentIntegrity)
}

// TestAuditLoopPeriodic: the full audit runs at once, then every interval,
// and stops with the context (fake clock).
func TestAuditLoopPeriodic(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		var runs atomic.Int32
		first := make(chan struct{})
		done := make(chan struct{})
		go func() {
			auditLoop(ctx, time.Hour, func(context.Context) { runs.Add(1) }, first, newLoops(time.Now).register("audit", time.Hour))
			close(done)
		}()
		<-first
		if runs.Load() != 1 {
			t.Fatalf("%d audits before the first interval", runs.Load())
		}
		time.Sleep(3*time.Hour + time.Minute)
		synctest.Wait()
		if runs.Load() != 4 {
			t.Fatalf("%d audits after 3 intervals, want 4", runs.Load())
		}
		cancel()
		<-done
	})
}

// TestIntegrityCombines: the condition holds while either the self-test or
// the last audit found a problem; a read error changes nothing.
func TestIntegrityCombines(t *testing.T) {
	reg := health.NewRegistry(time.Now)
	g := &integrity{t: reg.Declare(health.Condition{Code: condConsentIntegrity, Severity: health.Warning, NotReady: true, Message: "test"})}
	bad := &ledger.AuditError{Problems: []bundle.Problem{{Where: "index 2", What: "signature"}}}
	active := func() bool { ready, _ := reg.Ready(); return !ready }
	g.report(&g.audit, bad)
	g.report(&g.self, nil) // the quick self-test passes: the audit's finding stays
	if !active() {
		t.Fatal("a passing self-test cleared the audit's finding")
	}
	g.report(&g.audit, errors.New("database is locked"))
	if !active() {
		t.Fatal("a read error cleared the finding")
	}
	g.report(&g.audit, nil)
	if active() {
		t.Fatal("still raised after a clean audit and self-test")
	}
}
