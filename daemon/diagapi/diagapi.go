package diagapi

import (
	"time"

	"github.com/ventanilla-mx/ventanilla/health"
)

// Status is the body of GET /v1/status.
type Status struct {
	Version    string         `json:"version"`
	GoVersion  string         `json:"go_version"`
	PID        int            `json:"pid"`
	Started    time.Time      `json:"started"`
	Uptime     string         `json:"uptime"`
	Summary    string         `json:"summary"`
	Ready      bool           `json:"ready"`
	Config     map[string]any `json:"config"`
	Conditions []health.State `json:"conditions"`
	Loops      []LoopState    `json:"loops"`
}

// LoopState is a main loop as shown in /v1/status.
type LoopState struct {
	Name      string    `json:"name"`
	LastBeat  time.Time `json:"last_beat"`
	StallTime string    `json:"stall_time"`
	Stalled   bool      `json:"stalled"`
}

// HealthReport is the body of GET /v1/health.
type HealthReport struct {
	Ready      bool           `json:"ready"`
	NotReady   []health.State `json:"not_ready,omitempty"`
	Conditions []health.State `json:"conditions"`
}

// DeviceState is one device as shown by GET /v1/devices and
// `ventanillactl devices`. It names hardware, never people.
type DeviceState struct {
	Name   string            `json:"name"`
	Kind   string            `json:"kind"`
	Path   string            `json:"path"`
	State  string            `json:"state"`
	Detail string            `json:"detail,omitempty"`
	Since  time.Time         `json:"since"`
	Info   map[string]string `json:"info,omitempty"`
}

// Lockouts is the body of GET /v1/kiosk/lockouts: the operator-login
// lockout table (clients are local uids such as "uid:1000"; never an
// operator id or a PIN).
type Lockouts struct {
	Clients []LockoutClient `json:"clients"`
}

// LockoutClient is one client's wrong PINs and lockout.
type LockoutClient struct {
	Client      string    `json:"client"`
	Failures    int       `json:"failures"`
	LockedUntil time.Time `json:"locked_until,omitzero"`
	RemainingS  int       `json:"remaining_s,omitempty"`
}

// LockoutLift is the body of POST /v1/kiosk/lockouts/lift.
type LockoutLift struct {
	Lifted int `json:"lifted"`
}
