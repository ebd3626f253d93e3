package daemon

import (
	"testing"
	"time"

	"github.com/ventanilla-mx/ventanilla/archive/sender"
	"github.com/ventanilla-mx/ventanilla/health"
)

func TestArchiveBacklogConditionFollowsTheOldestUnsent(t *testing.T) {
	now := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	reg := health.NewRegistry(func() time.Time { return now })
	tr := reg.Declare(health.Condition{Code: condArchiveBacklog, Severity: health.Warning, Message: "m"})
	raised := func() bool {
		for _, s := range reg.Visible() {
			if s.Code == condArchiveBacklog {
				return true
			}
		}
		return false
	}
	archiveCondition(tr, sender.Status{Backlog: 3, OldestUnsent: now.Add(-time.Hour)}, now)
	if raised() {
		t.Fatal("raised for an hour-old backlog")
	}
	archiveCondition(tr, sender.Status{Backlog: 3, OldestUnsent: now.Add(-25 * time.Hour)}, now)
	if !raised() {
		t.Fatal("not raised for a day-old backlog")
	}
	archiveCondition(tr, sender.Status{Acked: 3, Size: 3}, now)
	if raised() {
		t.Fatal("still raised after catching up")
	}
}
