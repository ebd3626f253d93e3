package daemon

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/ventanilla-mx/ventanilla/consent"
	"github.com/ventanilla-mx/ventanilla/consent/ledger"
	"github.com/ventanilla-mx/ventanilla/health"
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
func wireConsent(s *System) {
	h := declareConsent(s.Health)
	if s.deviceKey == nil {
		h.unwritable.Set("no device key")
		return
	}
	l, err := openLedger(s)
	if err != nil {
		h.unwritable.Set(err.Error())
		return
	}
	s.ledger = l
	check := func(ctx context.Context) error {
		err := l.SelfTest(ctx)
		if ledger.IsAuditError(err) {
			h.integrity.Set(err.Error())
		} else if err == nil {
			h.integrity.Clear()
		}
		return err
	}
	if err := check(context.Background()); err != nil {
		s.Log.Error("consent ledger self-test failed", "err", err)
	}
	s.Health.RegisterCheck(health.Check{Name: "consent.ledger", Run: check})
	s.Metrics.MustRegister(ledgerCollector{l: l})
	s.Go("consent", func(ctx context.Context) error {
		<-ctx.Done()
		return l.Close()
	})
}

func openLedger(s *System) (*ledger.Ledger, error) {
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
	o.KioskID, o.Signer, o.Archive, o.Roots = c.Kiosk.ID, s.deviceKey, archive, roots
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
