package daemon

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/ventanilla-mx/ventanilla/drivers/fingerprint"
	"github.com/ventanilla-mx/ventanilla/health"
)

const (
	condScannerUnavailable  health.Code = "scanner.unavailable"
	condScannerUnresponsive health.Code = "scanner.unresponsive"
	condScannerConfig       health.Code = "scanner.misconfigured"
)

// scannerHealth turns the driver's state events into conditions.
type scannerHealth struct {
	unavailable, unresponsive, misconfigured *health.Tracker
	dev                                      *device
}

func declareScanner(reg *health.Registry) *scannerHealth {
	return &scannerHealth{
		unavailable: reg.Declare(health.Condition{Code: condScannerUnavailable, Severity: health.Warning,
			TimeToVisible: 3 * time.Second,
			Message:       "fingerprint scanner unplugged: check its USB cable and `ventanillactl devices`; face-only verification still works"}),
		unresponsive: reg.Declare(health.Condition{Code: condScannerUnresponsive, Severity: health.Warning,
			TimeToVisible: 3 * time.Second,
			Message:       "fingerprint scanner present but silent or garbled: check its power and wiring, scanner.baud and scanner.address"}),
		misconfigured: reg.Declare(health.Condition{Code: condScannerConfig, Severity: health.Warning,
			Message: "the scanner refused the handshake password or the driver could not start: check scanner.password and the [scanner] section"}),
	}
}

// onState runs with the driver locked: it only records.
func (h *scannerHealth) onState(ev fingerprint.StateEvent) {
	detail := ""
	if ev.Err != nil {
		detail = ev.Err.Error()
	}
	h.dev.set(ev.State.String(), detail)
	switch ev.State {
	case fingerprint.StateReady:
		h.unavailable.Clear()
		h.unresponsive.Clear()
		h.misconfigured.Clear()
	case fingerprint.StateUnavailable:
		h.unavailable.Set(detail)
	case fingerprint.StateUnresponsive:
		h.unavailable.Clear()
		if errors.Is(ev.Err, fingerprint.ErrBadPassword) {
			h.misconfigured.Set(detail)
			return
		}
		h.unresponsive.Set(detail)
	}
}

func scannerOpts(s *System, h *scannerHealth) *fingerprint.Opts {
	c := s.Config.Scanner
	o := fingerprint.DefaultOpts()
	o.Path, o.Baud, o.ProbeBauds = c.Device, c.Baud, c.ProbeBauds
	o.Address, o.Password, o.PacketSize = c.Address, c.Password, c.PacketSize
	o.CommandTimeout, o.CaptureTimeout = c.CommandTimeout.D(), c.CaptureTimeout.D()
	o.UseLED = c.LED
	o.OnState = h.onState
	o.Logger = s.Log.With("device", "scanner")
	return o
}

// wireScanner starts the scanner driver, keeps it connected, and reports
// it through health, /v1/devices, a self-test, metrics and the watchdog.
func wireScanner(s *System) optional[*fingerprint.R30x] {
	if !s.Config.Scanner.Enabled {
		return none[*fingerprint.R30x]("scanner.enabled = false")
	}
	h := declareScanner(s.Health)
	h.dev = s.addDevice("scanner", "fingerprint", s.Config.Scanner.Device)
	o := scannerOpts(s, h)
	sc, err := fingerprint.New(o)
	if err != nil {
		h.misconfigured.Set(err.Error())
		h.dev.set("error", err.Error())
		return none[*fingerprint.R30x]("the scanner driver did not start")
	}
	h.dev.info = func() map[string]string { return scannerInfo(sc) }
	s.Go("scanner", func(ctx context.Context) error {
		defer sc.Close()
		return sc.Run(ctx)
	})
	// Every exchange with the module holds the driver's lock; a line that
	// never gives it back wedges every capture, and stops the pings.
	s.watch("scanner", s.Config.Health.CheckInterval.D(), scannerStall(s, o), func() { sc.State() })
	s.Health.RegisterCheck(health.Check{Name: "scanner.handshake", Timeout: 3 * time.Second, Run: sc.Handshake})
	s.Metrics.MustRegister(scannerCollector{sc: sc})
	return some(sc)
}

// scannerStall is how long the driver may hold its lock for the longest
// legitimate operation (a capture, or a connect probing every baud) before
// the watchdog counts it as wedged.
func scannerStall(s *System, o *fingerprint.Opts) time.Duration {
	bauds := len(o.ProbeBauds)
	if bauds == 0 {
		bauds = len(fingerprint.DefaultOpts().ProbeBauds)
	}
	connect := time.Duration(bauds+2) * o.CommandTimeout
	// A minute covers an image upload at the slowest rate (36 KiB at 9600 baud).
	return max(s.Config.Health.LoopStallTime.D(), o.CaptureTimeout+connect+time.Minute)
}

func scannerInfo(sc *fingerprint.R30x) map[string]string {
	st := sc.Stats()
	m := map[string]string{
		"garbage_bytes":   strconv.FormatUint(st.GarbageBytes, 10),
		"checksum_errors": strconv.FormatUint(st.ChecksumErrors, 10),
		"retries":         strconv.FormatUint(st.Retries, 10),
	}
	if info, ok := sc.Connected(); ok {
		m["model"], m["baud"] = info.Model, strconv.Itoa(info.Baud)
	}
	return m
}

// scannerCollector exports the driver's counters at scrape time.
type scannerCollector struct{ sc *fingerprint.R30x }

var (
	scannerStateDesc = prometheus.NewDesc("ventanilla_scanner_ready",
		"1 when the fingerprint scanner answers its handshake.", nil, nil)
	scannerLinkDesc = prometheus.NewDesc("ventanilla_scanner_link_events_total",
		"Line problems the scanner driver saw and handled.", []string{"event"}, nil)
)

func (c scannerCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- scannerStateDesc
	ch <- scannerLinkDesc
}

func (c scannerCollector) Collect(ch chan<- prometheus.Metric) {
	st, _ := c.sc.State()
	ready := 0.0
	if st == fingerprint.StateReady {
		ready = 1
	}
	ch <- prometheus.MustNewConstMetric(scannerStateDesc, prometheus.GaugeValue, ready)
	ls := c.sc.Stats()
	for name, v := range map[string]uint64{"garbage_bytes": ls.GarbageBytes, "checksum_error": ls.ChecksumErrors,
		"foreign_frame": ls.ForeignFrames, "retry": ls.Retries} {
		ch <- prometheus.MustNewConstMetric(scannerLinkDesc, prometheus.CounterValue, float64(v), name)
	}
}
