package daemon

import "github.com/ventanilla-mx/ventanilla/daemon/diagapi"

// The tests decode the diagnostics bodies under their short names.
type (
	HealthReport = diagapi.HealthReport
	DeviceState  = diagapi.DeviceState
	Status       = diagapi.Status
)
