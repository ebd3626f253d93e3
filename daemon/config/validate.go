package config

import (
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"regexp"
	"sync"
	"time"
)

var kioskIDPattern = lazyRegexp(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

func invalid(key, format string, args ...any) *InvalidError {
	return &InvalidError{Key: key, Msg: fmt.Sprintf(format, args...)}
}

// validate checks meaning, after types. It returns the first problem.
func (c *Config) validate() error {
	if c.Version == 0 {
		return invalid("version", "is required; this build reads version %v (add `version = %d` at the top)", SupportedVersions, CurrentVersion)
	}
	if !supported(c.Version) {
		return invalid("version", "%d is not supported by this build, which reads %v", c.Version, SupportedVersions)
	}
	checks := []func() error{c.validateKiosk, c.validatePaths, c.validateLog, c.validateDiag, c.validateTimes, c.validateScanner, c.validateFinger, c.validateCamera, c.validateFace, c.validateLiveness, c.validateConsent, c.validateUplink, c.validateSecmem, c.validateKioskAPI, c.validateBranding}
	for _, check := range checks {
		if err := check(); err != nil {
			return err
		}
	}
	return nil
}

func (c *Config) validateKiosk() error {
	if !kioskIDPattern().MatchString(c.Kiosk.ID) {
		return invalid("kiosk.id", "must be 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit")
	}
	return nil
}

func (c *Config) validatePaths() error {
	if c.Paths.StateDir == "" {
		return invalid("paths.state_dir", "must not be empty")
	}
	if c.Paths.RunDir == "" {
		return invalid("paths.run_dir", "must not be empty")
	}
	return nil
}

func (c *Config) validateLog() error {
	var l slog.Level
	if err := l.UnmarshalText([]byte(c.Log.Level)); err != nil {
		return invalid("log.level", "%q is not one of debug, info, warn, error", c.Log.Level)
	}
	switch c.Log.Format {
	case "auto", "journal", "logfmt", "json":
		return nil
	}
	return invalid("log.format", "%q is not one of auto, journal, logfmt, json", c.Log.Format)
}

func (c *Config) validateDiag() error {
	if len(c.SocketPath()) > 100 {
		return invalid("diagnostics.socket", "path is longer than a unix socket allows (100 bytes); choose a shorter one")
	}
	addr := c.Diagnostics.MetricsListen
	if addr == "" {
		return nil
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return invalid("diagnostics.metrics_listen", "want host:port such as \"127.0.0.1:9464\": %v", err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return invalid("diagnostics.metrics_listen", "must be a loopback address; metrics are for this machine only")
	}
	return nil
}

func (c *Config) validateTimes() error {
	positive := []struct {
		key string
		d   Duration
		min time.Duration
	}{
		{"shutdown.timeout", c.Shutdown.Timeout, 100 * time.Millisecond},
		{"health.check_interval", c.Health.CheckInterval, 100 * time.Millisecond},
		{"health.loop_stall_time", c.Health.LoopStallTime, time.Second},
	}
	for _, p := range positive {
		if p.d.D() < p.min {
			return invalid(p.key, "must be at least %v", p.min)
		}
	}
	return nil
}

func validBaud(b int) bool { return b >= 9600 && b <= 115200 && b%9600 == 0 }

func (c *Config) validateScanner() error {
	sc := c.Scanner
	if !sc.Enabled {
		return nil
	}
	if sc.Device == "" {
		return invalid("scanner.device", "must name the serial device (or set scanner.enabled = false)")
	}
	if !validBaud(sc.Baud) {
		return invalid("scanner.baud", "%d is not 9600 x N for N = 1..12", sc.Baud)
	}
	for _, b := range sc.ProbeBauds {
		if !validBaud(b) {
			return invalid("scanner.probe_bauds", "%d is not 9600 x N for N = 1..12", b)
		}
	}
	switch sc.PacketSize {
	case 0, 32, 64, 128, 256:
	default:
		return invalid("scanner.packet_size", "must be 0 (keep), 32, 64, 128 or 256")
	}
	if sc.CommandTimeout.D() < 100*time.Millisecond {
		return invalid("scanner.command_timeout", "must be at least 100ms")
	}
	if sc.CaptureTimeout.D() < time.Second {
		return invalid("scanner.capture_timeout", "must be at least 1s")
	}
	return nil
}

func (c *Config) validateFinger() error {
	f := c.Finger
	if f.MinScore < 0 || f.MinScore > 100 {
		return invalid("finger.min_score", "must be 0-100")
	}
	if f.MaxAttempts < 1 || f.MaxAttempts > 10 {
		return invalid("finger.max_attempts", "must be 1-10")
	}
	if f.RecordFormat != "iso19794-4" && f.RecordFormat != "wsq" {
		return invalid("finger.record_format", "%q is not iso19794-4 or wsq", f.RecordFormat)
	}
	if f.WSQBitrate < 0.25 || f.WSQBitrate > 4 {
		return invalid("finger.wsq_bitrate", "must be between 0.25 and 4 bits per pixel")
	}
	return nil
}

func (c *Config) validateConsent() error {
	if c.Consent.ArchiveInterval.D() < time.Second {
		return invalid("consent.archive_interval", "must be at least 1s")
	}
	if c.Consent.ArchivePublicKey == "" {
		return invalid("consent.archive_public_key", "must name the municipality's archive public key; personal fields are sealed to it")
	}
	return nil
}

func (c *Config) validateUplink() error {
	u := c.Uplink
	if u.URL != "" {
		p, err := url.Parse(u.URL)
		if err != nil || p.Scheme != "https" || p.Host == "" {
			return invalid("uplink.url", "must be an https:// URL (or empty until the kiosk is provisioned)")
		}
	}
	if u.KEM != "mlkem768-x25519" && u.KEM != "x25519" {
		return invalid("uplink.kem", "%q is not mlkem768-x25519 or x25519", u.KEM)
	}
	if u.MaxAttempts < 1 || u.MaxAttempts > 10 {
		return invalid("uplink.max_attempts", "must be 1-10")
	}
	for _, d := range []struct {
		key string
		d   Duration
	}{{"uplink.deadline", u.Deadline}, {"uplink.attempt_timeout", u.AttemptTimeout},
		{"uplink.backoff", u.Backoff}, {"uplink.probe_interval", u.ProbeInterval}, {"uplink.cert_warning", u.CertWarning}} {
		if d.d.D() <= 0 {
			return invalid(d.key, "must be positive")
		}
	}
	if u.AttemptTimeout.D() > u.Deadline.D() {
		return invalid("uplink.attempt_timeout", "must not exceed uplink.deadline")
	}
	return nil
}

func (c *Config) validateSecmem() error {
	if n := c.Secmem.MaxBytes.N(); n < 1<<20 || n > 1<<30 {
		return invalid("secmem.max_bytes", "must be between 1MiB and 1GiB")
	}
	return nil
}

// lazyRegexp compiles expr on first use: ventanillactl links this package
// for `config check` only, and every other command would pay for compiling
// the patterns at start-up.
func lazyRegexp(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}
