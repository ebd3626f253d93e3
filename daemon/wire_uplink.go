package daemon

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/ventanilla-mx/ventanilla/devicekey"
	"github.com/ventanilla-mx/ventanilla/health"
	"github.com/ventanilla-mx/ventanilla/secmem"
	"github.com/ventanilla-mx/ventanilla/uplink"
	"github.com/ventanilla-mx/ventanilla/vocab"
)

const (
	condUplinkConfig      health.Code = "uplink.not_configured"
	condUplinkUnreachable health.Code = "uplink.unreachable"
	condUplinkCertSoon    health.Code = "uplink.cert_expiring"
	condUplinkCertExpired health.Code = "uplink.cert_expired"
)

type uplinkHealth struct{ config, unreachable, certSoon, certExpired *health.Tracker }

func declareUplink(reg *health.Registry) *uplinkHealth {
	return &uplinkHealth{
		config: reg.Declare(health.Condition{Code: condUplinkConfig, Severity: health.Warning, NotReady: true,
			DependsOn: []health.Code{condDeviceKey},
			Message:   "the link to INE is not provisioned or its keys cannot be read: set uplink.url and install the INE keys and certificates (docs/operations.md)"}),
		unreachable: reg.Declare(health.Condition{Code: condUplinkUnreachable, Severity: health.Warning, NotReady: true,
			TimeToVisible: 2 * time.Minute,
			Message:       "INE's service cannot be reached or does not answer in time: check the network, DNS, the firewall and uplink.url"}),
		certSoon: reg.Declare(health.Condition{Code: condUplinkCertSoon, Severity: health.Warning,
			Message: "a TLS certificate of the INE link expires soon: renew the kiosk's client certificate (or ask INE about theirs)"}),
		certExpired: reg.Declare(health.Condition{Code: condUplinkCertExpired, Severity: health.Warning, NotReady: true,
			Message: "a TLS certificate of the INE link has expired: install a renewed client certificate"}),
	}
}

// wireUplink builds the verification client and keeps its link state in
// health: reachability from every exchange and a periodic probe,
// certificate expiry from the loaded and last-seen certificates.
func wireUplink(s *System, key optional[*devicekey.Key], mem *secmem.Allocator) optional[*uplink.Client] {
	h := declareUplink(s.Health)
	k, ok := key.get()
	if !ok {
		h.config.Set(key.reason())
		return none[*uplink.Client](key.reason())
	}
	if s.Config.Uplink.URL == "" {
		h.config.Set("uplink.url is empty")
		return none[*uplink.Client]("uplink.url is empty")
	}
	opts, err := uplinkOpts(s, h, k, mem)
	if err != nil {
		h.config.Set(err.Error())
		return none[*uplink.Client]("the uplink's keys or certificates cannot be loaded")
	}
	c, err := uplink.New(opts)
	if err != nil {
		h.config.Set(err.Error())
		return none[*uplink.Client]("the uplink's options are refused")
	}
	u := s.Config.Uplink
	h.evaluate(c.State(), s.now(), u.CertWarning.D())
	s.Health.RegisterCheck(health.Check{Name: "uplink", Timeout: u.AttemptTimeout.D(),
		Run: func(ctx context.Context) error { return joinChecks(c.SelfTest(ctx)) }})
	s.Metrics.MustRegister(uplinkCollector{c: c})
	loop := s.loops.register("uplink-probe", u.ProbeInterval.D()+2*u.AttemptTimeout.D()+time.Minute)
	s.Go("uplink-probe", func(ctx context.Context) error {
		defer c.Close()
		return probeLoop(ctx, c, u.ProbeInterval.D(), loop)
	})
	return some(c)
}

func uplinkOpts(s *System, h *uplinkHealth, key *devicekey.Key, mem *secmem.Allocator) (*uplink.Opts, error) {
	u := s.Config.Uplink
	ineKey, err := readPEM(u.INEKey, uplink.ParsePublicKeyPEM)
	if err != nil {
		return nil, fmt.Errorf("uplink.ine_key: %w", err)
	}
	if got := uplink.KEMName(ineKey.KEM().ID()); got != u.KEM {
		return nil, fmt.Errorf("uplink.ine_key is a %s key but uplink.kem is %s", got, u.KEM)
	}
	signKey, err := readPEM(u.INESigningKey, devicekey.ParsePublicPEM)
	if err != nil {
		return nil, fmt.Errorf("uplink.ine_signing_key: %w", err)
	}
	tlsConf, err := uplink.LoadClientTLS(u.CA, u.ClientCert, u.ClientKey)
	if err != nil {
		return nil, err
	}
	o := uplink.DefaultOpts()
	o.BaseURL, o.KioskID, o.KeyID = u.URL, s.Config.Kiosk.ID, u.INEKeyID
	o.INEKey, o.INESigningKey, o.Signer, o.Alloc, o.TLS = ineKey, signKey, key, mem, tlsConf
	o.Deadline, o.AttemptTimeout, o.MaxAttempts, o.Backoff = u.Deadline.D(), u.AttemptTimeout.D(), u.MaxAttempts, u.Backoff.D()
	o.Now = s.now
	o.OnState = func(st uplink.State) { h.evaluate(st, s.now(), u.CertWarning.D()) }
	return o, nil
}

func readPEM[T any](path string, parse func([]byte) (T, error)) (T, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		var zero T
		return zero, err
	}
	return parse(b)
}

// evaluate maps the client's link state to conditions.
func (h *uplinkHealth) evaluate(st uplink.State, now time.Time, warn time.Duration) {
	if st.Reachable || st.Since.IsZero() {
		h.unreachable.Clear()
	} else {
		h.unreachable.Set(string(st.LastReason))
	}
	switch {
	case st.CertExpiresWithin(now, 0):
		h.certExpired.Set(certDetail(st))
		h.certSoon.Clear()
	case st.CertExpiresWithin(now, warn):
		h.certExpired.Clear()
		h.certSoon.Set(certDetail(st))
	default:
		h.certExpired.Clear()
		h.certSoon.Clear()
	}
}

func certDetail(st uplink.State) string {
	d := "client certificate valid until " + st.ClientCertNotAfter.UTC().Format(time.DateOnly)
	if !st.ServerCertNotAfter.IsZero() {
		d += ", INE's until " + st.ServerCertNotAfter.UTC().Format(time.DateOnly)
	}
	return d
}

// probeLoop checks reachability now and every interval (each probe is
// bounded by the attempt timeout), beating l after each; the client
// reports the result through OnState.
func probeLoop(ctx context.Context, c *uplink.Client, every time.Duration, l interface{ Beat() }) error {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		_ = c.Probe(ctx) // failures are reported through OnState
		l.Beat()
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

func joinChecks(checks []uplink.Check) error {
	var errs []error
	for _, ch := range checks {
		if ch.Err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", ch.Name, ch.Err))
		}
	}
	return errors.Join(errs...)
}

// uplinkStats is what the collector reads (an *uplink.Client).
type uplinkStats interface {
	Metrics() uplink.Metrics
	State() uplink.State
}

// uplinkCollector exports the client's counters. INE's status is never a
// label: a counter labelled with it moves once per session with that
// citizen's answer, for anyone who scrapes. Only completed (INE answered,
// whatever it said) and unknown (no trustworthy answer) are told apart.
type uplinkCollector struct{ c uplinkStats }

var (
	uplinkVerifDesc = prometheus.NewDesc("ventanilla_uplink_verifications_total",
		"Verifications by result: completed (INE answered, whatever the answer) or unknown (no trustworthy answer).",
		[]string{"result"}, nil)
	uplinkUnknownDesc = prometheus.NewDesc("ventanilla_uplink_unknown_total",
		"Verifications without a trustworthy answer, by reason.", []string{"reason"}, nil)
	uplinkAttemptsDesc = prometheus.NewDesc("ventanilla_uplink_attempts_total", "HTTP exchanges tried.", nil, nil)
	uplinkLatencyDesc  = prometheus.NewDesc("ventanilla_uplink_verify_seconds", "Whole verification calls.", nil, nil)
	uplinkReachDesc    = prometheus.NewDesc("ventanilla_uplink_reachable", "1 when INE answered the last exchange.", nil, nil)
)

func (u uplinkCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{uplinkVerifDesc, uplinkUnknownDesc, uplinkAttemptsDesc, uplinkLatencyDesc, uplinkReachDesc} {
		ch <- d
	}
}

func (u uplinkCollector) Collect(ch chan<- prometheus.Metric) {
	m := u.c.Metrics()
	var completed, unknown uint64
	for st, n := range m.Verifications {
		if st == vocab.StatusUnknown {
			unknown += n
		} else {
			completed += n
		}
	}
	ch <- prometheus.MustNewConstMetric(uplinkVerifDesc, prometheus.CounterValue, float64(completed), "completed")
	ch <- prometheus.MustNewConstMetric(uplinkVerifDesc, prometheus.CounterValue, float64(unknown), "unknown")
	for r, n := range m.Unknown {
		ch <- prometheus.MustNewConstMetric(uplinkUnknownDesc, prometheus.CounterValue, float64(n), string(r))
	}
	ch <- prometheus.MustNewConstMetric(uplinkAttemptsDesc, prometheus.CounterValue, float64(m.Attempts))
	ch <- prometheus.MustNewConstSummary(uplinkLatencyDesc, m.LatencyCount, m.LatencySum.Seconds(), nil)
	reach := 0.0
	if u.c.State().Reachable {
		reach = 1
	}
	ch <- prometheus.MustNewConstMetric(uplinkReachDesc, prometheus.GaugeValue, reach)
}
