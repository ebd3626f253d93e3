package daemon

import (
	"context"
	"log/slog"
	"time"

	sd "github.com/coreos/go-systemd/v22/daemon"

	"github.com/ventanilla-mx/ventanilla/health"
)

// Notifier sends sd_notify(3) state strings ("READY=1", "STATUS=...").
type Notifier interface {
	// Notify sends state. It returns nil when no service manager listens
	// (NOTIFY_SOCKET unset), so callers need not care how they were started.
	Notify(state string) error
}

// systemdNotifier talks to the NOTIFY_SOCKET systemd gives us.
type systemdNotifier struct{}

func (systemdNotifier) Notify(state string) error {
	_, err := sd.SdNotify(false, state)
	return err
}

// statusLoop keeps systemd's STATUS= line equal to the health summary. It
// wakes on every condition change and on a tick (time-to-visible expiries
// are not signalled).
func statusLoop(ctx context.Context, n Notifier, reg *health.Registry, tick time.Duration, log *slog.Logger) error {
	changes := reg.Subscribe()
	t := time.NewTicker(tick)
	defer t.Stop()
	last := ""
	for {
		if line := "STATUS=" + reg.Summary(); line != last {
			if err := n.Notify(line); err != nil {
				log.Warn("sd_notify STATUS failed", "err", err)
			}
			last = line
		}
		select {
		case <-ctx.Done():
			return nil
		case <-changes:
		case <-t.C:
		}
	}
}
