package daemon

import (
	"context"
	"io"
	"log/slog"

	"github.com/ventanilla-mx/ventanilla/daemon/config"
)

func discardLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func contextWithCancel() (context.Context, context.CancelFunc) {
	return context.WithCancel(context.Background())
}

// modeWorld lets any local user connect, so that SO_PEERCRED (not file
// permissions) is what the peer-credential test exercises.
var modeWorld = config.Mode(0o666)
