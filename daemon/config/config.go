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
	KioskAPI    KioskAPI    `toml:"kiosk_api"`
	Session     Session     `toml:"session"`

	// File is the path the config was read from (empty for Default()).
	File string `toml:"-"`
}

// Kiosk identifies this kiosk.
type Kiosk struct {
	// ID names the kiosk in consent records, requests and checkpoints.
	// It is not personal data. Letters, digits, '-', '_' and '.'.
	ID string `toml:"id"`
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
		Scanner: Scanner{
			Enabled: true, Device: "/dev/ventanilla/scanner", Baud: 57600,
			ProbeBauds: []int{57600, 115200, 9600, 19200, 38400}, Address: 0xFFFFFFFF,
			CommandTimeout: Dur(time.Second), CaptureTimeout: Dur(15 * time.Second), LED: true,
		},
		KioskAPI: defaultKioskAPI(),
		Session:  defaultSession(),
	}
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
	}
}

func (c *Config) scannerSummary() string {
	if !c.Scanner.Enabled {
		return "disabled"
	}
	return c.Scanner.Device
}
