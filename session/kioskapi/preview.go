package kioskapi

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"time"

	"github.com/ventanilla-mx/ventanilla/logging"
)

// The preview secret: the logged-in page asks for it with
// POST /api/v1/sessions/{id}/preview (operator bearer token) and gets it
// as an HttpOnly, SameSite=Strict cookie scoped to that session's preview
// path, which the <img> then sends. It is never in a URL or in the page.
const (
	previewCookie = "ventanilla_preview"
	// PreviewHeader carries the secret for clients that are not a browser.
	PreviewHeader = "X-Ventanilla-Preview"
	previewTTL    = 30 * time.Second
)

// previewTicket is one outstanding secret: bound to a session and to the
// operator login it was issued to, used once, short-lived. Only its hash
// is kept.
type previewTicket struct {
	sum     [32]byte
	session logging.SessionID
	login   string // the operator bearer token it was issued under
	expires time.Time
}

// previewSecret issues a fresh secret for the session, replacing any
// earlier one (one per session and login: rotated for every session).
func (s *Server) previewSecret(w http.ResponseWriter, r *http.Request, _ string) {
	if !s.o.Preview || !s.e.HasPreview() {
		writeError(w, http.StatusNotFound, "preview_off", "the camera preview is turned off on this kiosk")
		return
	}
	if s.e.Snapshot().Session != sid(r) {
		writeError(w, http.StatusConflict, "stale_session", "that session is not the current one")
		return
	}
	raw := make([]byte, 32)
	_, _ = rand.Read(raw)
	secret := base64.RawURLEncoding.EncodeToString(raw)
	s.previewMu.Lock()
	s.ticket = &previewTicket{sum: sha256.Sum256([]byte(secret)), session: sid(r), login: bearer(r),
		expires: time.Now().Add(previewTTL)}
	s.previewMu.Unlock()
	http.SetCookie(w, &http.Cookie{Name: previewCookie, Value: secret, Path: r.URL.Path,
		MaxAge: int(previewTTL.Seconds()), HttpOnly: true, SameSite: http.SameSiteStrictMode})
	writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
}

// takeTicket checks the request's secret and consumes it: it returns the
// login the secret was issued under and an HTTP status when refused.
func (s *Server) takeTicket(r *http.Request) (string, int) {
	secret := r.Header.Get(PreviewHeader)
	if c, err := r.Cookie(previewCookie); err == nil && secret == "" {
		secret = c.Value
	}
	if secret == "" {
		if _, ok := s.operator(r); ok {
			return "", http.StatusForbidden
		}
		return "", http.StatusUnauthorized
	}
	sum := sha256.Sum256([]byte(secret))
	s.previewMu.Lock()
	t := s.ticket
	ok := t != nil && subtle.ConstantTimeCompare(sum[:], t.sum[:]) == 1 && t.session == sid(r) && time.Now().Before(t.expires)
	if ok {
		s.ticket = nil
	}
	s.previewMu.Unlock()
	if !ok {
		return "", http.StatusForbidden
	}
	if _, live := s.auth.Peek(t.login); !live {
		return "", http.StatusUnauthorized
	}
	return t.login, 0
}

func refusePreview(w http.ResponseWriter, code int) {
	if code == http.StatusUnauthorized {
		writeError(w, code, "operator_required", "the camera preview is for the logged-in clerk only")
		return
	}
	writeError(w, code, "preview_secret", "missing, used or wrong preview secret; the clerk's page asks for a new one")
}
