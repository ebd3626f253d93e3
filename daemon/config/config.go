package config

import (
	"log/slog"
	"time"
)

// CurrentVersion is the config file format this build writes and reads.
// SupportedVersions lists every format it can read.
const CurrentVersion = 1

var SupportedVersions = []int{1}

// DefaultPath is where the production config lives.
const DefaultPath = "/etc/ventanilla/ventanilla.toml"

// Config is the whole configuration. Field docs are the reference; the
// annotated example is configs/ventanilla.toml and docs/configuration.md.
type Config struct {
	Version     int         `toml:"version"`
	Kiosk       Kiosk       `toml:"kiosk"`
	Paths       Paths       `toml:"paths"`
	Log         Log         `toml:"log"`
	Diagnostics Diagnostics `toml:"diagnostics"`
	Shutdown    Shutdown    `toml:"shutdown"`
	Health      Health      `toml:"health"`
	Scanner     Scanner     `toml:"scanner"`
	Finger      Finger      `toml:"finger"`
	Camera      Camera      `toml:"camera"`
	Face        Face        `toml:"face"`
	Liveness    Liveness    `toml:"liveness"`
	Consent     Consent     `toml:"consent"`
	Uplink      Uplink      `toml:"uplink"`
	Secmem      Secmem      `toml:"secmem"`
	KioskAPI    KioskAPI    `toml:"kiosk_api"`
	Session     Session     `toml:"session"`
	Branding    Branding    `toml:"branding"`

	// File is the path the config was read from (empty for Default()).
	File string `toml:"-"`
}

// Kiosk identifies this kiosk.
type Kiosk struct {
	// ID names the kiosk in consent records, requests and checkpoints.
	// It is not personal data. Letters, digits, '-', '_' and '.'.
	ID string `toml:"id"`
	// DeviceKey is the kiosk's Ed25519 key (PEM PKCS#8); created on first
	// start when missing. Default: <state_dir>/device.key.
	DeviceKey string `toml:"device_key"`
}

// Paths are the directories the daemon owns.
type Paths struct {
	StateDir string `toml:"state_dir"` // persistent: consent ledger, device key
	RunDir   string `toml:"run_dir"`   // volatile: sockets
}

// Log configures log/slog output.
type Log struct {
	Level  string `toml:"level"`  // debug, info, warn, error
	Format string `toml:"format"` // auto, journal, logfmt, json
}

// Diagnostics configures the technician's API.
type Diagnostics struct {
	Socket          string   `toml:"socket"`           // unix socket path; default <run_dir>/diag.sock
	SocketMode      FileMode `toml:"socket_mode"`      // permission bits of the socket
	SocketGroup     string   `toml:"socket_group"`     // group owning the socket; empty keeps the daemon's
	TechnicianGroup string   `toml:"technician_group"` // may read health, status, metrics
	AdminGroup      string   `toml:"admin_group"`      // may also run self-tests, change the log level
	MetricsListen   string   `toml:"metrics_listen"`   // optional loopback TCP address for /metrics and /v1/health; empty = off
}

// Shutdown bounds how long the daemon takes to stop.
type Shutdown struct {
	Timeout Duration `toml:"timeout"`
}

// Health tunes the built-in conditions.
type Health struct {
	CheckInterval Duration `toml:"check_interval"`  // how often disk, clock and state dir are checked
	MinFreeDisk   ByteSize `toml:"min_free_disk"`   // below this free space in state_dir, disk.low is set
	LoopStallTime Duration `toml:"loop_stall_time"` // a main loop silent this long stops watchdog pings
}

// Scanner configures the R30x-family fingerprint module.
type Scanner struct {
	Enabled        bool     `toml:"enabled"`         // false: fingerprint capture is not offered
	Device         string   `toml:"device"`          // serial device; the udev rules make /dev/ventanilla/scanner
	Baud           int      `toml:"baud"`            // configured line rate (9600 x N, N = 1..12)
	ProbeBauds     []int    `toml:"probe_bauds"`     // tried in order when baud does not answer
	Address        uint32   `toml:"address"`         // module address; factory 0xFFFFFFFF
	Password       uint32   `toml:"password"`        // module handshake password; factory 0
	PacketSize     int      `toml:"packet_size"`     // data packet size to set (32/64/128/256); 0 keeps the module's
	CommandTimeout Duration `toml:"command_timeout"` // answer deadline of one command, on top of wire time
	CaptureTimeout Duration `toml:"capture_timeout"` // how long a capture waits for a finger
	LED            bool     `toml:"led"`             // drive the R503 ring LED during capture
}

// Finger sets the fingerprint accept/retry rules and the record sent to INE.
type Finger struct {
	MinScore     int     `toml:"min_score"`     // lowest quality score (0-100) accepted
	MaxAttempts  int     `toml:"max_attempts"`  // captures before the best one is sent anyway
	RecordFormat string  `toml:"record_format"` // iso19794-4 or wsq
	WSQBitrate   float64 `toml:"wsq_bitrate"`   // bits per pixel; 0.75 is the FBI setting
}

// Consent locates the consent ledger and its keys.
type Consent struct {
	DB               string   `toml:"db"`                 // SQLite ledger; default <state_dir>/consent/consent.db
	ArchivePublicKey string   `toml:"archive_public_key"` // municipality's archive key: personal fields are sealed to it
	EfirmaCAFiles    []string `toml:"efirma_ca_files"`    // SAT CA certificates (PEM); empty refuses e.firma
	// ArchiveURL is the municipality's consent archive (ventanilla-archive,
	// https://host:port); empty: the ledger is not pushed anywhere. The
	// kiosk authenticates with the uplink's client certificate.
	ArchiveURL string `toml:"archive_url"`
	ArchiveCA  string `toml:"archive_ca"` // CA of the archive's server certificate (PEM)
	// LookupKey is the archive's lookup (HMAC) key file (ventanilla-archive
	// keygen --lookup): identity bindings carry its commitments of the
	// credentials entered, which let the archive find a credential's
	// consents. Empty: bindings carry none (consent.lookup_key warning).
	LookupKey string `toml:"lookup_key"`
	// ArchiveInterval is how often the kiosk pushes new consents and
	// bindings to the archive (default 1m).
	ArchiveInterval Duration `toml:"archive_interval"`
}

// Uplink configures the encrypted link to INE's verification service.
type Uplink struct {
	URL            string   `toml:"url"`             // https://host[:port][/prefix]; empty: not provisioned yet
	INEKey         string   `toml:"ine_key"`         // INE's HPKE public key (PEM)
	INEKeyID       string   `toml:"ine_key_id"`      // checked against the key when set
	INESigningKey  string   `toml:"ine_signing_key"` // verifies INE's answers (PEM Ed25519)
	CA             string   `toml:"ca"`              // CA certificates for INE's server certificate
	ClientCert     string   `toml:"client_cert"`     // this kiosk's TLS client certificate
	ClientKey      string   `toml:"client_key"`      // its private key
	KEM            string   `toml:"kem"`             // mlkem768-x25519 or x25519; must match the INE key
	Deadline       Duration `toml:"deadline"`        // one verification, retries included
	AttemptTimeout Duration `toml:"attempt_timeout"` // one HTTP exchange
	MaxAttempts    int      `toml:"max_attempts"`    // attempts under the same idempotency key
	Backoff        Duration `toml:"backoff"`         // first retry delay, doubled each time
	ProbeInterval  Duration `toml:"probe_interval"`  // reachability probe period
	CertWarning    Duration `toml:"cert_warning"`    // warn this long before a certificate expires
}

// Secmem bounds the locked memory that holds biometrics.
type Secmem struct {
	MaxBytes    ByteSize `toml:"max_bytes"`    // at most this much biometric memory live at once
	RequireLock bool     `toml:"require_lock"` // refuse (rather than report) memory that cannot be locked
}

// Default returns the production defaults. Loading a file starts from these.
func Default() Config {
	return Config{
		Version: CurrentVersion,
		Kiosk:   Kiosk{ID: "kiosk"},
		Paths:   Paths{StateDir: "/var/lib/ventanilla", RunDir: "/run/ventanilla"},
		Log:     Log{Level: "info", Format: "auto"},
		Diagnostics: Diagnostics{
			SocketMode:      Mode(0o660),
			SocketGroup:     "ventanilla-tech",
			TechnicianGroup: "ventanilla-tech",
			AdminGroup:      "ventanilla-admin",
		},
		Shutdown: Shutdown{Timeout: Dur(5 * time.Second)},
		Health: Health{
			CheckInterval: Dur(10 * time.Second),
			MinFreeDisk:   Bytes(256 << 20),
			LoopStallTime: Dur(30 * time.Second),
		},
		Finger:  Finger{MinScore: 40, MaxAttempts: 3, RecordFormat: "iso19794-4", WSQBitrate: 0.75},
		Consent: Consent{ArchivePublicKey: "/etc/ventanilla/keys/archive.pub", ArchiveInterval: Dur(time.Minute)},
		Uplink: Uplink{
			INEKey: "/etc/ventanilla/ine/ine-hpke.pub", INESigningKey: "/etc/ventanilla/ine/ine-sign.pub",
			CA: "/etc/ventanilla/ine/ca.pem", ClientCert: "/etc/ventanilla/ine/client.pem",
			ClientKey: "/etc/ventanilla/ine/client.key", KEM: "mlkem768-x25519",
			Deadline: Dur(25 * time.Second), AttemptTimeout: Dur(10 * time.Second), MaxAttempts: 3,
			Backoff: Dur(500 * time.Millisecond), ProbeInterval: Dur(time.Minute), CertWarning: Dur(30 * 24 * time.Hour),
		},
		Secmem: Secmem{MaxBytes: Bytes(64 << 20), RequireLock: true},
		Scanner: Scanner{
			Enabled: true, Device: "/dev/ventanilla/scanner", Baud: 57600,
			ProbeBauds: []int{57600, 115200, 9600, 19200, 38400}, Address: 0xFFFFFFFF,
			CommandTimeout: Dur(time.Second), CaptureTimeout: Dur(15 * time.Second), LED: true,
		},
		Camera:   defaultCamera(),
		Face:     defaultFace(),
		Liveness: defaultLiveness(),
		KioskAPI: defaultKioskAPI(),
		Session:  defaultSession(),
		Branding: defaultBranding(),
	}
}

// DeviceKeyPath is the device key file, defaulting under the state directory.
func (c *Config) DeviceKeyPath() string {
	if c.Kiosk.DeviceKey != "" {
		return c.Kiosk.DeviceKey
	}
	return c.Paths.StateDir + "/device.key"
}

// ConsentDB is the consent ledger file, defaulting under the state directory.
func (c *Config) ConsentDB() string {
	if c.Consent.DB != "" {
		return c.Consent.DB
	}
	return c.Paths.StateDir + "/consent/consent.db"
}

// SocketPath is the diagnostics socket, defaulting under the run directory.
func (c *Config) SocketPath() string {
	if c.Diagnostics.Socket != "" {
		return c.Diagnostics.Socket
	}
	return c.Paths.RunDir + "/diag.sock"
}

// LogLevel parses Log.Level (validated at load time).
func (c *Config) LogLevel() slog.Level {
	var l slog.Level
	_ = l.UnmarshalText([]byte(c.Log.Level))
	return l
}

// Summary is the config as shown by /v1/status: no secrets, only settings.
func (c *Config) Summary() map[string]any {
	return map[string]any{
		"file":           c.File,
		"version":        c.Version,
		"kiosk_id":       c.Kiosk.ID,
		"state_dir":      c.Paths.StateDir,
		"run_dir":        c.Paths.RunDir,
		"log_level":      c.Log.Level,
		"diag_socket":    c.SocketPath(),
		"metrics_listen": c.Diagnostics.MetricsListen,
		"shutdown":       c.Shutdown.Timeout.D().String(),
		"scanner":        c.scannerSummary(),
		"camera":         c.cameraSummary(),
		"liveness":       c.livenessSummary(),
		"consent_db":     c.ConsentDB(),
		"uplink_url":     c.Uplink.URL,
		"uplink_kem":     c.Uplink.KEM,
	}
}

func (c *Config) scannerSummary() string {
	if !c.Scanner.Enabled {
		return "disabled"
	}
	return c.Scanner.Device
}
