package daemon

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/sys/unix"

	"github.com/ventanilla-mx/ventanilla/consent"
	"github.com/ventanilla-mx/ventanilla/daemon/config"
	"github.com/ventanilla-mx/ventanilla/health"
)

// Built-in condition codes. Subsystems add their own when they are wired.
const (
	condConfigDrift   health.Code = "config.reload_would_fail"
	condConfigChanged health.Code = "config.changed_on_disk"
	condStateDir      health.Code = "statedir.unwritable"
	condDiskLow       health.Code = "disk.low"
	condClock         health.Code = "clock.unsynchronized"
)

// monitors checks the machine-level conditions every interval.
type monitors struct {
	cfg      *config.Config
	clock    clockStatus
	statfs   func(path string, st *unix.Statfs_t) error
	drift    *health.Tracker
	changed  *health.Tracker
	stateDir *health.Tracker
	disk     *health.Tracker
	unsync   *health.Tracker
}

// clockStatus reports whether the clock is synchronised, abstracted so
// tests can choose.
type clockStatus func() (synced bool, err error)

// kernelClockSynced asks what consent records will carry: the kernel
// (adjtimex), or systemd-timesyncd's marker under ProtectClock=.
func kernelClockSynced() (bool, error) {
	switch consent.KernelClockSync().State {
	case consent.ClockSynchronized:
		return true, nil
	case consent.ClockUnsynced:
		return false, nil
	}
	return false, errors.New("cannot tell: adjtimex is refused (systemd ProtectClock=) and " +
		consent.TimesyncMarker + " is absent; enable systemd-timesyncd")
}

func declareMonitors(reg *health.Registry, cfg *config.Config, clock clockStatus) *monitors {
	return &monitors{
		cfg: cfg, clock: clock, statfs: unix.Statfs,
		drift: reg.Declare(health.Condition{Code: condConfigDrift, Severity: health.Warning,
			Message: "the config file on disk no longer validates; a restart would fail: run `ventanillactl config check` and fix it"}),
		changed: reg.Declare(health.Condition{Code: condConfigChanged, Severity: health.Info,
			Message: "the config file changed since start; restart the service to apply it"}),
		stateDir: reg.Declare(health.Condition{Code: condStateDir, Severity: health.Warning, NotReady: true,
			Message: "cannot write the state directory; consents cannot be recorded: check permissions and the filesystem"}),
		disk: reg.Declare(health.Condition{Code: condDiskLow, Severity: health.Warning, NotReady: true,
			DependsOn: []health.Code{condStateDir},
			Message:   "free space in the state directory is below health.min_free_disk; free space before consents fail"}),
		unsync: reg.Declare(health.Condition{Code: condClock, Severity: health.Warning, TimeToVisible: time.Minute,
			Message: "the system clock is not synchronised; consent times will be marked unsynchronised: check systemd-timesyncd or chrony"}),
	}
}

// run checks everything now and then every interval, beating l each round.
func (m *monitors) run(ctx context.Context, interval time.Duration, l *loop) error {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		m.checkAll()
		l.Beat()
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

func (m *monitors) checkAll() {
	m.checkConfig()
	m.stateDir.SetErr(probeStateDir(m.cfg.Paths.StateDir))
	m.checkDisk()
	m.checkClock()
}

func (m *monitors) checkConfig() {
	if m.cfg.File == "" {
		return
	}
	now, err := config.Load(m.cfg.File)
	m.drift.SetErr(err)
	if err != nil {
		m.changed.Clear()
		return
	}
	if fmt.Sprint(now.Summary()) != fmt.Sprint(m.cfg.Summary()) {
		m.changed.Set(m.cfg.File)
		return
	}
	m.changed.Clear()
}

func (m *monitors) checkDisk() {
	var st unix.Statfs_t
	if err := m.statfs(m.cfg.Paths.StateDir, &st); err != nil {
		m.disk.Set(fmt.Sprintf("statfs %s: %v", m.cfg.Paths.StateDir, err))
		return
	}
	free := int64(st.Bavail) * st.Bsize
	if min := m.cfg.Health.MinFreeDisk.N(); free < min {
		m.disk.Set(fmt.Sprintf("%d MiB free, want at least %d MiB", free>>20, min>>20))
		return
	}
	m.disk.Clear()
}

func (m *monitors) checkClock() {
	synced, err := m.clock()
	switch {
	case err != nil:
		m.unsync.Set(err.Error())
	case !synced:
		m.unsync.Set("kernel reports the clock unsynchronised (adjtimex)")
	default:
		m.unsync.Clear()
	}
}

// probeStateDir proves the state directory takes a durable write: create,
// write, fsync, remove.
func probeStateDir(dir string) error {
	f, err := os.CreateTemp(dir, ".probe-*")
	if err != nil {
		return fmt.Errorf("state dir %s: %w", dir, err)
	}
	name := f.Name()
	_, werr := f.Write([]byte("ventanilla"))
	serr := f.Sync()
	cerr := f.Close()
	rerr := os.Remove(name)
	if err := errors.Join(werr, serr, cerr, rerr); err != nil {
		return fmt.Errorf("state dir %s: %w", filepath.Clean(dir), err)
	}
	return nil
}
