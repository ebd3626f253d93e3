package daemon

import (
	"context"
	"fmt"

	"github.com/ventanilla-mx/ventanilla/capture/finger"
	"github.com/ventanilla-mx/ventanilla/capture/fingercap"
	"github.com/ventanilla-mx/ventanilla/drivers/fingerprint"
	"github.com/ventanilla-mx/ventanilla/secmem"
)

// newFingerCapture is the scanner with the configured quality gate and
// record format as the session's finger port (capture/fingercap).
func newFingerCapture(s *System, sc *fingerprint.R30x, mem *secmem.Allocator) *fingercap.Capturer {
	c := s.Config.Finger
	f, err := fingercap.New(sc, fingercap.Options{MinScore: c.MinScore, MaxAttempts: c.MaxAttempts,
		Format: c.RecordFormat, WSQBitrate: c.WSQBitrate, Alloc: secmem.Secrets(mem)})
	if err != nil { // the config is validated; this is a programming error
		panic(fmt.Sprintf("finger: %v", err))
	}
	// The pipeline on a synthetic print, on request (POST /v1/selftest).
	s.Health.RegisterCheck(healthCheck("finger.pipeline", func(context.Context) error { return finger.SelfTest() }))
	return f
}
