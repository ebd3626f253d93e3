package daemon

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/ventanilla-mx/ventanilla/consent"
	"github.com/ventanilla-mx/ventanilla/consent/ledger"
	"github.com/ventanilla-mx/ventanilla/devicekey"
	"github.com/ventanilla-mx/ventanilla/health"
	"github.com/ventanilla-mx/ventanilla/secmem"
)

const (
	condConsentUnwritable health.Code = "consent.unwritable"
	condConsentIntegrity  health.Code = "consent.integrity"
)

type consentHealth struct{ unwritable, integrity *health.Tracker }

func declareConsent(reg *health.Registry) *consentHealth {
	return &consentHealth{
		unwritable: reg.Declare(health.Condition{Code: condConsentUnwritable, Severity: health.Warning, NotReady: true,
			DependsOn: []health.Code{condDeviceKey, condStateDir, condDiskLow},
			Message:   "consents cannot be recorded, so no session may start: check consent.db, consent.archive_public_key and the state directory"}),
		integrity: reg.Declare(health.Condition{Code: condConsentIntegrity, Severity: health.Warning, NotReady: true,
			Message: "the consent ledger failed its integrity check: stop using the kiosk, do not repair the file (it is evidence), call support and run `ventanillactl consent verify --db`"}),
	}
}

// wireConsent opens the consent ledger. No session may start without it.
func wireConsent(s *System, key optional[*devicekey.Key], mem *secmem.Allocator) optional[*ledger.Ledger] {
	h := declareConsent(s.Health)
	k, ok := key.get()
	if !ok {
		h.unwritable.Set(key.reason())
		return none[*ledger.Ledger](key.reason())
	}
	l, err := openLedger(s, k, mem)
	if err != nil {
		h.unwritable.Set(err.Error())
		return none[*ledger.Ledger]("the consent ledger cannot be opened")
	}
	g := &integrity{t: h.integrity}
	check := func(ctx context.Context) error {
		err := l.SelfTest(ctx)
		g.report(&g.self, err)
		return err
	}
	if err := check(context.Background()); err != nil {
		s.Log.Error("consent ledger self-test failed", "err", err)
	}
	s.Health.RegisterCheck(health.Check{Name: "consent.ledger", Run: check})
	startAudits(s, l, g)
	s.Metrics.MustRegister(ledgerCollector{l: l})
	s.OnClose("consent", l.Close) // after the engine has bound its last session
	return some(l)
}

// The full audit (every record, every hash; O(n)) runs in the background
// at start and then every consentAuditEvery. Startup waits for the first
// one at most consentAuditStartWait (a few thousand records), so a small
// tampered log is never announced ready; a large one is audited while the
// kiosk runs, and turns not ready when the audit finds a problem.
// While an audit runs it beats the watchdog from its progress (every
// record); between audits, every auditBeatEvery. An audit that makes no
// progress for consentAuditStall stops the pings.
var (
	consentAuditEvery     = 6 * time.Hour
	consentAuditStartWait = 2 * time.Second
	consentAuditStall     = 5 * time.Minute
	auditBeatEvery        = time.Minute
)

// integrity raises consent.integrity while the quick self-test or the last
// full audit found a problem; errors that only mean "could not read" leave
// the last verdict as it was.
type integrity struct {
	mu          sync.Mutex
	t           *health.Tracker
	self, audit error
}

func (g *integrity) report(which *error, err error) {
	if err != nil && !ledger.IsAuditError(err) {
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	*which = err
	switch {
	case g.self != nil:
		g.t.Set(g.self.Error())
	case g.audit != nil:
		g.t.Set(g.audit.Error())
	default:
		g.t.Clear()
	}
}

func startAudits(s *System, l *ledger.Ledger, g *integrity) {
	first := make(chan struct{})
	loop := s.loops.register("consent.audit", consentAuditStall)
	run := func(ctx context.Context) {
		err := l.Audit(ctx, func(int64, int64) { loop.Beat() })
		if err != nil && ctx.Err() == nil {
			s.Log.Error("consent ledger audit failed", "err", err)
		}
		g.report(&g.audit, err)
	}
	s.Go("consent.audit", func(ctx context.Context) error {
		auditLoop(ctx, consentAuditEvery, run, first, loop)
		return nil
	})
	t := time.NewTimer(consentAuditStartWait)
	defer t.Stop()
	select {
	case <-first:
	case <-t.C:
		s.Log.Info("the full consent audit goes on in the background")
	}
}

// auditLoop runs audit now, closes first, then runs it every interval
// until ctx ends, beating l after each audit and every auditBeatEvery
// between them.
func auditLoop(ctx context.Context, every time.Duration, audit func(context.Context), first chan<- struct{}, l interface{ Beat() }) {
	audit(ctx)
	l.Beat()
	close(first)
	t := time.NewTicker(every)
	defer t.Stop()
	beat := time.NewTicker(auditBeatEvery)
	defer beat.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-beat.C:
		case <-t.C:
			audit(ctx)
		}
		l.Beat()
	}
}

func openLedger(s *System, key *devicekey.Key, mem *secmem.Allocator) (*ledger.Ledger, error) {
	c := s.Config
	archive, err := consent.LoadArchivePublicKey(c.Consent.ArchivePublicKey)
	if err != nil {
		return nil, fmt.Errorf("archive public key: %w", err)
	}
	roots, err := loadCertPool(c.Consent.EfirmaCAFiles)
	if err != nil {
		return nil, fmt.Errorf("e.firma CA files: %w", err)
	}
	db := c.ConsentDB()
	if err := os.MkdirAll(filepath.Dir(db), 0o700); err != nil {
		return nil, err
	}
	o := ledger.DefaultOpts()
	o.KioskID, o.Signer, o.Archive, o.Roots = c.Kiosk.ID, key, archive, roots
	if err := bindingOpts(s, o, mem); err != nil {
		return nil, err
	}
	return ledger.Open(db, o)
}

// loadCertPool reads PEM certificates; no files gives nil (e.firma refused).
func loadCertPool(files []string) (*x509.CertPool, error) {
	if len(files) == 0 {
		return nil, nil
	}
	pool := x509.NewCertPool()
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		if !pool.AppendCertsFromPEM(b) {
			return nil, errors.New(f + ": no PEM certificate found")
		}
	}
	return pool, nil
}

type ledgerCollector struct{ l *ledger.Ledger }

var (
	ledgerAppendsDesc  = prometheus.NewDesc("ventanilla_consent_appends_total", "Consents durably recorded since start.", nil, nil)
	ledgerFailuresDesc = prometheus.NewDesc("ventanilla_consent_append_failures_total", "Consent appends that failed (nothing acknowledged).", nil, nil)
	ledgerLastDesc     = prometheus.NewDesc("ventanilla_consent_last_append_seconds", "Duration of the latest durable append.", nil, nil)
	ledgerProofsDesc   = prometheus.NewDesc("ventanilla_consent_proofs_total", "Inclusion proofs served.", nil, nil)
)

func (c ledgerCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{ledgerAppendsDesc, ledgerFailuresDesc, ledgerLastDesc, ledgerProofsDesc} {
		ch <- d
	}
}

func (c ledgerCollector) Collect(ch chan<- prometheus.Metric) {
	m := c.l.Metrics()
	ch <- prometheus.MustNewConstMetric(ledgerAppendsDesc, prometheus.CounterValue, float64(m.Appends))
	ch <- prometheus.MustNewConstMetric(ledgerFailuresDesc, prometheus.CounterValue, float64(m.AppendFailures))
	ch <- prometheus.MustNewConstMetric(ledgerLastDesc, prometheus.GaugeValue, m.LastAppend.Seconds())
	ch <- prometheus.MustNewConstMetric(ledgerProofsDesc, prometheus.CounterValue, float64(m.Proofs))
}
