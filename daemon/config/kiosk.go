package config

import (
	"net"
	"time"
)

// userNameRE is what Debian's adduser and systemd-sysusers accept as a name.
var userNameRE = lazyRegexp(`^[a-z_][a-z0-9_-]{0,31}$`)

// KioskAPI configures the kiosk screen's loopback HTTP API and the
// operator logins.
type KioskAPI struct {
	// Listen is the loopback host:port of the kiosk API and UI
	// (configs/ventanilla.toml sets "127.0.0.1:8780"); empty, the
	// default, turns the kiosk off (a technician-only install).
	Listen string `toml:"listen"`
	// Preview serves a low-resolution camera preview during face capture.
	Preview bool `toml:"preview"`
	// Operators maps operator ids to argon2id PIN hashes (PHC strings from
	// `ventanillactl kiosk hash-pin`). Hashes are not secrets' contents
	// but still belong in a file readable only by the daemon.
	Operators map[string]string `toml:"operators"`
	// OperatorsFile, when set, adds "id hash" lines (# comments) from a
	// file, so hashes can live outside the main config.
	OperatorsFile    string   `toml:"operators_file"`
	LoginMaxFailures int      `toml:"login_max_failures"` // consecutive failures before a lockout
	LoginLockout     Duration `toml:"login_lockout"`      // how long logins stay locked
	LoginInterval    Duration `toml:"login_interval"`     // least time between two attempts
	OperatorIdle     Duration `toml:"operator_idle"`      // an idle operator is logged out
	// AllowedUIDs, when set, admits only these local users' connections
	// (the kiosk browser's user; the daemon adds its own): loopback peers
	// are identified by the uid owning their socket. Empty admits any
	// local user (the token, PIN and preview secret still apply).
	AllowedUIDs []int `toml:"allowed_uids"`
	// AllowedUsers adds local users by name, resolved to uids when the
	// daemon starts (the ventanilla-kiosk package creates its user after
	// the config is written, so its uid is not known in advance). A name
	// that does not resolve admits nobody: set, the list stays non-empty.
	AllowedUsers []string `toml:"allowed_users"`
	// Simulate runs sessions against simulated capture, consent and INE
	// (session/sessiontest): for development and demonstrations only.
	Simulate bool `toml:"simulate"`
}

// Session tunes the session engine.
type Session struct {
	MinSimilarity     int             `toml:"min_similarity"`      // 0-100: below it a compared biometric does not match
	MaxFaceAttempts   int             `toml:"max_face_attempts"`   // face captures per submission (liveness retries, failures, cancellations)
	MaxFingerAttempts int             `toml:"max_finger_attempts"` // finger captures per submission
	MaxResends        int             `toml:"max_resends"`         // corrections sent again after not found / data mismatch, under the same consent (0-3)
	Timeouts          SessionTimeouts `toml:"timeouts"`
}

// SessionTimeouts bound every step of a session.
type SessionTimeouts struct {
	Notice     Duration `toml:"notice"`
	Signature  Duration `toml:"signature"`
	Consent    Duration `toml:"consent"`
	Credential Duration `toml:"credential"`
	Biometrics Duration `toml:"biometrics"`
	Face       Duration `toml:"face"`
	Finger     Duration `toml:"finger"`
	Submit     Duration `toml:"submit"`
	Answer     Duration `toml:"answer"`
	ClientLoss Duration `toml:"client_loss"`
	Session    Duration `toml:"session"`
}

func defaultKioskAPI() KioskAPI {
	return KioskAPI{Preview: true, LoginMaxFailures: 5,
		LoginLockout: Dur(5 * time.Minute), LoginInterval: Dur(time.Second), OperatorIdle: Dur(15 * time.Minute)}
}

func defaultSession() Session {
	return Session{MinSimilarity: 70, MaxFaceAttempts: 3, MaxFingerAttempts: 3, MaxResends: 1, Timeouts: SessionTimeouts{
		Notice: Dur(5 * time.Minute), Signature: Dur(3 * time.Minute), Consent: Dur(15 * time.Second),
		Credential: Dur(5 * time.Minute), Biometrics: Dur(3 * time.Minute), Face: Dur(90 * time.Second),
		Finger: Dur(60 * time.Second), Submit: Dur(30 * time.Second), Answer: Dur(30 * time.Second),
		ClientLoss: Dur(20 * time.Second), Session: Dur(20 * time.Minute),
	}}
}

var operatorIDPattern = lazyRegexp(`^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$`)

func (c *Config) validateKioskAPI() error {
	k := c.KioskAPI
	if k.Listen != "" {
		host, _, err := net.SplitHostPort(k.Listen)
		if err != nil {
			return invalid("kiosk_api.listen", "want host:port such as \"127.0.0.1:8780\": %v", err)
		}
		if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
			return invalid("kiosk_api.listen", "must be a loopback address; the kiosk API is for this machine's screen only")
		}
	}
	for id, h := range k.Operators {
		if !operatorIDPattern().MatchString(id) {
			return invalid("kiosk_api.operators", "operator id %q: 1-32 letters, digits, '.', '_', '-'", id)
		}
		if err := CheckPINHash(h); err != nil {
			return invalid("kiosk_api.operators", "operator %s: %v", id, err)
		}
	}
	if k.LoginMaxFailures < 1 || k.LoginMaxFailures > MaxLoginFailures {
		return invalid("kiosk_api.login_max_failures", "must be 1 to %d", MaxLoginFailures)
	}
	return c.validateSessionTimes()
}

func (c *Config) validateSessionTimes() error {
	k, s, t := c.KioskAPI, c.Session, c.Session.Timeouts
	if s.MinSimilarity < 0 || s.MinSimilarity > 100 {
		return invalid("session.min_similarity", "must be 0 to 100")
	}
	if s.MaxFaceAttempts < 1 || s.MaxFaceAttempts > 10 {
		return invalid("session.max_face_attempts", "must be 1 to 10")
	}
	if s.MaxFingerAttempts < 1 || s.MaxFingerAttempts > 10 {
		return invalid("session.max_finger_attempts", "must be 1 to 10")
	}
	if s.MaxResends < 0 || s.MaxResends > 3 {
		return invalid("session.max_resends", "must be 0 to 3 (INE accepts a consent naming at most 4 request ids)")
	}
	checks := []struct {
		key string
		d   Duration
		min time.Duration
	}{
		{"kiosk_api.login_lockout", k.LoginLockout, MinLoginLockout}, {"kiosk_api.operator_idle", k.OperatorIdle, time.Minute},
		{"session.timeouts.notice", t.Notice, 10 * time.Second}, {"session.timeouts.signature", t.Signature, 10 * time.Second},
		{"session.timeouts.consent", t.Consent, time.Second}, {"session.timeouts.credential", t.Credential, 10 * time.Second},
		{"session.timeouts.biometrics", t.Biometrics, 10 * time.Second}, {"session.timeouts.face", t.Face, 5 * time.Second},
		{"session.timeouts.finger", t.Finger, 5 * time.Second}, {"session.timeouts.submit", t.Submit, time.Second},
		{"session.timeouts.answer", t.Answer, time.Second}, {"session.timeouts.client_loss", t.ClientLoss, time.Second},
		{"session.timeouts.session", t.Session, time.Minute},
	}
	for _, ch := range checks {
		if ch.d.D() < ch.min {
			return invalid(ch.key, "must be at least %v", ch.min)
		}
	}
	for _, uid := range k.AllowedUIDs {
		if uid < 0 {
			return invalid("kiosk_api.allowed_uids", "uids are not negative")
		}
	}
	for _, name := range k.AllowedUsers {
		if !userNameRE().MatchString(name) {
			return invalid("kiosk_api.allowed_users", "%q is not a user name", name)
		}
	}
	if k.LoginInterval.D() < 0 {
		return invalid("kiosk_api.login_interval", "must not be negative")
	}
	return nil
}
