package daemon

import (
	"io"
	"log/slog"
	"os"
	"slices"
	"testing"
)

// TestAllowedUIDsResolvesNames: named users join the configured uids, the
// daemon's own uid is added, an unknown name admits nobody extra (the list
// stays non-empty: fail closed), and nothing configured stays empty.
func TestAllowedUIDsResolvesNames(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	self := os.Getuid()
	if got := allowedUIDs(nil, nil, log); got != nil {
		t.Errorf("nothing configured: %v, want nil (any local user)", got)
	}
	if got := allowedUIDs(nil, []string{"root"}, log); !slices.Equal(got, []int{0, self}) {
		t.Errorf("root by name: %v, want [0 %d]", got, self)
	}
	if got := allowedUIDs([]int{4242}, []string{"no-such-user-ventanilla"}, log); !slices.Equal(got, []int{4242, self}) {
		t.Errorf("unknown name: %v, want [4242 %d]", got, self)
	}
	if got := allowedUIDs(nil, []string{"no-such-user-ventanilla"}, log); !slices.Equal(got, []int{self}) {
		t.Errorf("only an unknown name: %v, want only the daemon's own uid", got)
	}
}
