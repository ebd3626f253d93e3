package daemon

import (
	"net/http"
	"sort"
	"sync"
	"time"

	"github.com/ventanilla-mx/ventanilla/daemon/diagapi"
)

// device holds one device's latest state; drivers' callbacks update it.
type device struct {
	mu   sync.Mutex
	st   diagapi.DeviceState
	now  func() time.Time
	info func() map[string]string // optional; called outside the lock
}

func (d *device) set(state, detail string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.st.State != state {
		d.st.Since = d.now()
	}
	d.st.State, d.st.Detail = state, detail
}

func (d *device) snapshot() diagapi.DeviceState {
	d.mu.Lock()
	st := d.st
	d.mu.Unlock()
	if d.info != nil {
		st.Info = d.info()
	}
	return st
}

// devices is the set of wired devices.
type devices struct {
	mu   sync.Mutex
	list []*device
}

// addDevice registers a device for /v1/devices and returns it.
func (s *System) addDevice(name, kind, path string) *device {
	d := &device{now: s.now, st: diagapi.DeviceState{Name: name, Kind: kind, Path: path, State: "starting", Since: s.now()}}
	s.devices.mu.Lock()
	s.devices.list = append(s.devices.list, d)
	s.devices.mu.Unlock()
	return d
}

func (s *System) serveDevices(w http.ResponseWriter, r *http.Request) {
	s.devices.mu.Lock()
	list := append([]*device(nil), s.devices.list...)
	s.devices.mu.Unlock()
	out := make([]diagapi.DeviceState, 0, len(list))
	for _, d := range list {
		out = append(out, d.snapshot())
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	writeJSON(w, http.StatusOK, out)
}
