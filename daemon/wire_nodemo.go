//go:build !demo

package daemon

import (
	"errors"

	"github.com/ventanilla-mx/ventanilla/session"
)

// DemoBuild says whether this build carries the simulated session parts
// (the demo build tag); production packages are built without them.
const DemoBuild = false

// errNoDemo is why a production build refuses kiosk_api.simulate.
var errNoDemo = errors.New("kiosk_api.simulate = true needs a demonstration build (go build -tags demo); this build has no simulated parts, so sessions are refused")

// demoPorts refuses: the simulated parts (session/sessiontest) are not
// linked into a build without the demo tag.
func demoPorts(*System, *kioskHealth) (session.Ports, error) {
	return session.Ports{}, errNoDemo
}
