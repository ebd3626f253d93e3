package daemon

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/ventanilla-mx/ventanilla/archive/sender"
	"github.com/ventanilla-mx/ventanilla/archive/wire"
	"github.com/ventanilla-mx/ventanilla/health"
	"github.com/ventanilla-mx/ventanilla/uplink"
)

const condArchiveBacklog health.Code = "consent.archive_backlog"

// archiveStaleAfter is the age of the oldest unsent consent that raises
// consent.archive_backlog (consent.archive_interval says how often the
// sender tries).
var archiveStaleAfter = 24 * time.Hour

// wireArchiveSync starts the background push of the consent ledger to the
// municipality's archive (docs/consent.md, "Archive"). The kiosk serves
// while the archive is unreachable; the condition and the metrics say how
// far behind it is.
func wireArchiveSync(s *System) {
	c := s.Config
	if c.Consent.ArchiveURL == "" || s.ledger == nil {
		return
	}
	t := s.Health.Declare(health.Condition{Code: condArchiveBacklog, Severity: health.Warning,
		Message: "consents older than a day have not reached the municipality's archive: check the network to it and `ventanillactl consent sync`"})
	tc, err := uplink.LoadClientTLS(c.Consent.ArchiveCA, c.Uplink.ClientCert, c.Uplink.ClientKey)
	if err != nil {
		t.Set(fmt.Sprintf("archive TLS: %v", err))
		return
	}
	client := &wire.Client{URL: c.Consent.ArchiveURL, HTTP: &http.Client{Timeout: time.Minute,
		Transport: &http.Transport{TLSClientConfig: tc}}}
	snd, err := sender.New(sender.Options{KioskID: c.Kiosk.ID, Source: s.ledger, Pusher: client,
		Cursor: filepath.Join(filepath.Dir(c.ConsentDB()), "archive-cursor")})
	if err != nil {
		t.Set(err.Error())
		return
	}
	s.Metrics.MustRegister(archiveCollector{snd})
	s.Go("consent.archive", func(ctx context.Context) error {
		tick := time.NewTicker(c.Consent.ArchiveInterval.D())
		defer tick.Stop()
		for {
			if err := snd.Once(ctx); err != nil && ctx.Err() == nil {
				s.Log.Warn("consent archive push failed", "err", err)
			}
			archiveCondition(t, snd.Status(), time.Now())
			select {
			case <-ctx.Done():
				return nil
			case <-tick.C:
			}
		}
	})
}

// archiveCondition raises the condition while the oldest unsent consent is
// older than archiveStaleAfter.
func archiveCondition(t *health.Tracker, st sender.Status, now time.Time) {
	if st.Backlog > 0 && !st.OldestUnsent.IsZero() && now.Sub(st.OldestUnsent) > archiveStaleAfter {
		t.Set(fmt.Sprintf("%d consents not in the archive, the oldest since %s", st.Backlog, st.OldestUnsent.UTC().Format(time.RFC3339)))
		return
	}
	t.Clear()
}

// archiveCollector exports the sync state, label-free.
type archiveCollector struct{ s *sender.Sender }

var (
	archiveBacklogDesc = prometheus.NewDesc("ventanilla_consent_archive_backlog",
		"Consent records not yet acknowledged by the municipality's archive.", nil, nil)
	archiveOldestDesc = prometheus.NewDesc("ventanilla_consent_archive_oldest_unsent_seconds",
		"Age of the oldest consent record not yet in the archive (0 when none).", nil, nil)
	archiveBindingsDesc = prometheus.NewDesc("ventanilla_consent_archive_binding_backlog",
		"Identity bindings not yet acknowledged by the municipality's archive.", nil, nil)
)

func (archiveCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- archiveBacklogDesc
	ch <- archiveOldestDesc
	ch <- archiveBindingsDesc
}

func (c archiveCollector) Collect(ch chan<- prometheus.Metric) {
	st := c.s.Status()
	age := 0.0
	if st.Backlog > 0 && !st.OldestUnsent.IsZero() {
		age = time.Since(st.OldestUnsent).Seconds()
	}
	ch <- prometheus.MustNewConstMetric(archiveBacklogDesc, prometheus.GaugeValue, float64(st.Backlog))
	ch <- prometheus.MustNewConstMetric(archiveOldestDesc, prometheus.GaugeValue, age)
	ch <- prometheus.MustNewConstMetric(archiveBindingsDesc, prometheus.GaugeValue, float64(st.BindingBacklog))
}
