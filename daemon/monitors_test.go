package daemon

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/ventanilla-mx/ventanilla/daemon/config"
	"github.com/ventanilla-mx/ventanilla/health"
)

type monitorFixture struct {
	reg    *health.Registry
	mon    *monitors
	now    time.Time
	synced bool
	free   uint64
}

func newMonitorFixture(t *testing.T, cfg *config.Config) *monitorFixture {
	f := &monitorFixture{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), synced: true, free: 1 << 40}
	f.reg = health.NewRegistry(func() time.Time { return f.now })
	f.mon = declareMonitors(f.reg, cfg, func() (bool, error) { return f.synced, nil })
	f.mon.statfs = func(_ string, st *unix.Statfs_t) error {
		st.Bsize, st.Bavail = 4096, f.free/4096
		return nil
	}
	if err := os.MkdirAll(cfg.Paths.StateDir, 0o750); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *monitorFixture) visible() map[health.Code]bool {
	m := map[health.Code]bool{}
	for _, s := range f.reg.Visible() {
		m[s.Code] = true
	}
	return m
}

func TestMonitorDiskAndClock(t *testing.T) {
	cfg := testConfig(t)
	f := newMonitorFixture(t, cfg)
	f.mon.checkAll()
	if v := f.visible(); len(v) != 0 {
		t.Fatalf("healthy machine shows %v", v)
	}
	f.free = 1 << 20
	f.synced = false
	f.mon.checkAll()
	if v := f.visible(); !v[condDiskLow] || v[condClock] {
		t.Fatalf("after disk fill and clock loss: %v (clock must wait its time-to-visible)", v)
	}
	f.now = f.now.Add(time.Minute)
	if v := f.visible(); !v[condClock] {
		t.Fatalf("clock condition not visible after a minute: %v", v)
	}
	if ok, _ := f.reg.Ready(); ok {
		t.Fatal("ready with a full disk")
	}
	f.free, f.synced = 1<<40, true
	f.mon.checkAll()
	if v := f.visible(); len(v) != 0 {
		t.Fatalf("after recovery: %v", v)
	}
}

func TestMonitorStateDirUnwritable(t *testing.T) {
	cfg := testConfig(t)
	f := newMonitorFixture(t, cfg)
	// A regular file where the directory should be: not writable as a dir,
	// even for root.
	if err := os.RemoveAll(cfg.Paths.StateDir); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cfg.Paths.StateDir, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	f.mon.checkAll()
	if v := f.visible(); !v[condStateDir] {
		t.Fatalf("visible = %v, want %s", v, condStateDir)
	}
}

func TestProbeStateDirLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	if err := probeStateDir(dir); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 0 {
		t.Fatalf("probe left %v", entries)
	}
}

func TestMonitorConfigDrift(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "v.toml")
	write := func(s string) {
		if err := os.WriteFile(path, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("version = 1\n[paths]\nstate_dir = \"s\"\nrun_dir = \"r\"\n")
	cfg, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	f := newMonitorFixture(t, cfg)
	f.mon.checkAll()
	if v := f.visible(); len(v) != 0 {
		t.Fatalf("unchanged file shows %v", v)
	}
	write("version = 1\n[paths]\nstate_dir = \"s\"\nrun_dir = \"r\"\n[log]\nlevel = \"debug\"\n")
	f.mon.checkAll()
	if v := f.visible(); !v[condConfigChanged] || v[condConfigDrift] {
		t.Fatalf("changed file: %v", v)
	}
	write("version = 1\nbogus = 1\n")
	f.mon.checkAll()
	v := f.visible()
	if !v[condConfigDrift] || v[condConfigChanged] {
		t.Fatalf("broken file: %v", v)
	}
	if st := f.reg.Visible()[0]; !strings.Contains(st.Detail, "v.toml:2") {
		t.Fatalf("drift detail = %q, want it to name the broken line", st.Detail)
	}
}
