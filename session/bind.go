package session

import (
	"context"

	"github.com/ventanilla-mx/ventanilla/logging"
)

// bindCancelledLocked binds the consent of a session that ends without a
// verification (cancelled, timed out, lost, or ended by Close at the
// daemon's shutdown), so the archive can tell its record from one that
// backed a verification. It runs before the credential is wiped; a
// failure is logged (no personal data) and the session ends anyway. The
// daemon closes the engine before the ledger and the locked memory the
// Binder uses (daemon/closers.go).
func (e *Engine) bindCancelledLocked(s *sess) {
	if e.p.Binder == nil || s.consent == nil || s.sent > 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), e.o.Timeouts.Consent)
	defer cancel()
	if err := e.p.Binder.BindCancelled(ctx, *s.consent, s.cred); err != nil {
		e.log.Warn("cancelled consent not bound", logging.Session(s.id), "consent", s.consent.ID, "err", err)
	}
}
