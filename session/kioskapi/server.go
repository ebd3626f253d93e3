package kioskapi

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/ventanilla-mx/ventanilla/session"
	"github.com/ventanilla-mx/ventanilla/session/operator"
)

// Opts configure a Server.
type Opts struct {
	// UI is the kiosk UI: index.html at its root (with the token
	// placeholder TokenPlaceholder) and static files.
	UI fs.FS
	// Preview serves the MJPEG camera preview during face capture.
	Preview bool
	// Heartbeat is the SSE keep-alive comment interval.
	Heartbeat time.Duration
	// Token is the per-boot token; a random one when empty (tests pin it).
	Token string
	Log   *slog.Logger
	// MaxConns caps open connections (default 64); BodyTimeout bounds
	// reading one request body (default 10 s).
	MaxConns    int
	BodyTimeout time.Duration
	// AllowedUIDs, when set, admits only connections whose loopback peer
	// socket belongs to one of these users (the kiosk browser's, and the
	// daemon's own for its self-test): the peer-credential check a unix
	// socket would give, kept on TCP because the browser needs TCP.
	AllowedUIDs []int
	// Brand is the municipality's name, logo and colours (zero: the
	// sober default).
	Brand Brand
}

// TokenPlaceholder is replaced in index.html by the per-boot token.
const TokenPlaceholder = "{{KIOSK_TOKEN}}"

// Server is the kiosk API. Create it with New and serve Handler().
type Server struct {
	e     *session.Engine
	auth  *operator.Auth
	o     Opts
	log   *slog.Logger
	token string
	index []byte
	// brandCSS is /brand.css, built once from Opts.Brand.
	brandCSS []byte
	mux      *http.ServeMux

	ctx    context.Context // cancelled by Close: ends streams
	cancel context.CancelFunc

	previewMu sync.Mutex
	ticket    *previewTicket // the one outstanding preview secret
}

// New builds the API over engine e and operator logins auth.
func New(e *session.Engine, auth *operator.Auth, o *Opts) (*Server, error) {
	if o == nil || o.UI == nil {
		return nil, errors.New("kioskapi: Opts.UI (the kiosk UI files) is required")
	}
	s := &Server{e: e, auth: auth, o: *o, log: o.Log, token: o.Token, mux: http.NewServeMux()}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.o.Heartbeat <= 0 {
		s.o.Heartbeat = 15 * time.Second
	}
	if s.o.MaxConns <= 0 {
		s.o.MaxConns = defaultMaxConns
	}
	if s.o.BodyTimeout <= 0 {
		s.o.BodyTimeout = defaultBodyTimeout
	}
	if s.token == "" {
		b := make([]byte, 32)
		_, _ = rand.Read(b)
		s.token = base64.RawURLEncoding.EncodeToString(b)
	}
	idx, err := fs.ReadFile(o.UI, "index.html")
	if err != nil || !bytes.Contains(idx, []byte(TokenPlaceholder)) {
		return nil, fmt.Errorf("kioskapi: UI index.html missing or without %s: %v", TokenPlaceholder, err)
	}
	if err := o.Brand.check(); err != nil {
		return nil, err
	}
	s.index = o.Brand.fill(bytes.ReplaceAll(idx, []byte(TokenPlaceholder), []byte(s.token)))
	s.brandCSS = o.Brand.css()
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.routes()
	return s, nil
}

// Handler returns the guarded handler to serve on a loopback listener.
func (s *Server) Handler() http.Handler { return s.guard(s.mux) }

// Close ends open event and preview streams (register it with
// http.Server.RegisterOnShutdown, since Shutdown waits for them).
func (s *Server) Close() { s.cancel() }

// Token returns the per-boot token (for tests and the e2e harness).
func (s *Server) Token() string { return s.token }

func (s *Server) routes() {
	m := s.mux
	m.HandleFunc("GET /{$}", s.serveIndex)
	m.Handle("GET /static/", http.FileServerFS(noDirs{s.o.UI}))
	m.HandleFunc("GET /brand.css", s.serveBrandCSS)
	m.HandleFunc("GET /brand/logo", s.serveLogo)
	m.HandleFunc("GET /api/v1/state", s.getState)
	m.HandleFunc("GET /api/v1/notice", s.getNotice)
	m.HandleFunc("GET /api/v1/models/{model}", s.getModel)
	m.HandleFunc("GET /api/v1/events", s.serveEvents)
	m.HandleFunc("POST /api/v1/operator/login", s.login)
	m.HandleFunc("POST /api/v1/operator/logout", s.logout)
	m.HandleFunc("POST /api/v1/sessions", s.needOperator(s.claim))
	m.HandleFunc("POST /api/v1/sessions/{id}/abort", s.needOperator(s.abort))
	m.HandleFunc("POST /api/v1/sessions/{id}/notice", s.needOperator(s.acceptNotice))
	m.HandleFunc("POST /api/v1/sessions/{id}/consent", s.needOperator(s.consent))
	m.HandleFunc("POST /api/v1/sessions/{id}/consent/typed", s.needOperator(s.typedConsent))
	m.HandleFunc("POST /api/v1/sessions/{id}/consent/efirma", s.needOperator(s.efirmaConsent))
	m.HandleFunc("POST /api/v1/sessions/{id}/credential", s.needOperator(s.credential))
	m.HandleFunc("POST /api/v1/sessions/{id}/face", s.needOperator(s.step(s.e.StartFace, true)))
	m.HandleFunc("POST /api/v1/sessions/{id}/finger", s.needOperator(s.finger))
	m.HandleFunc("POST /api/v1/sessions/{id}/submit", s.needOperator(s.step(s.e.Submit, true)))
	m.HandleFunc("POST /api/v1/sessions/{id}/finish", s.needOperator(s.step(s.e.Finish, false)))
	// Stops the running capture: back to the biometrics step under the same consent.
	m.HandleFunc("POST /api/v1/sessions/{id}/capture/cancel", s.needOperator(s.step(s.e.CancelCapture, false)))
	// Leaves a not-found or data-mismatch answer for the credential step, to
	// correct the data and send again under the same consent.
	m.HandleFunc("POST /api/v1/sessions/{id}/correct", s.needOperator(s.step(s.e.Correct, false)))
	m.HandleFunc("POST /api/v1/sessions/{id}/preview", s.needOperator(s.previewSecret))
	m.HandleFunc("GET /api/v1/sessions/{id}/preview", s.servePreview)
	m.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "not_found", "no such endpoint")
	})
}

// noDirs serves files only: opening a directory is "not found", so
// /static/ lists nothing.
type noDirs struct{ fs.FS }

func (n noDirs) Open(name string) (fs.File, error) {
	f, err := n.FS.Open(name)
	if err != nil {
		return nil, err
	}
	if st, err := f.Stat(); err != nil || st.IsDir() {
		f.Close()
		return nil, fs.ErrNotExist
	}
	return f, nil
}

func (s *Server) serveIndex(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write(s.index)
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

// errorBody is every error response.
type errorBody struct {
	Error struct {
		Code    string               `json:"code"`
		Message string               `json:"message"`
		Fields  []session.FieldError `json:"fields,omitempty"`
		// RetryAfter: seconds until logins open again (locked, too_fast).
		RetryAfter int `json:"retry_after_s,omitempty"`
		// Reasons: the health conditions behind not_ready, the reason of
		// invalid_efirma (codes for the clerk; the screen translates them).
		Reasons []string `json:"reasons,omitempty"`
	} `json:"error"`
}

func writeError(w http.ResponseWriter, code int, errCode, msg string, fields ...session.FieldError) {
	var b errorBody
	b.Error.Code, b.Error.Message, b.Error.Fields = errCode, msg, fields
	writeJSON(w, code, b)
}

// statusOf maps engine refusals to HTTP statuses.
var statusOf = map[string]int{
	"session_active": http.StatusConflict, "no_session": http.StatusConflict,
	"stale_session": http.StatusConflict, "wrong_step": http.StatusConflict, "busy": http.StatusConflict,
	"consent_required": http.StatusConflict, "credential_required": http.StatusConflict,
	"face_refused": http.StatusConflict, "nothing_to_submit": http.StatusConflict,
	"notice_mismatch": http.StatusUnprocessableEntity, "invalid_signature": http.StatusUnprocessableEntity,
	"invalid_acceptance": http.StatusUnprocessableEntity, "invalid_efirma": http.StatusUnprocessableEntity,
	"invalid_credential": http.StatusUnprocessableEntity, "modality_unavailable": http.StatusUnprocessableEntity,
	"invalid_finger":       http.StatusUnprocessableEntity,
	"consent_not_recorded": http.StatusServiceUnavailable, "no_memory": http.StatusServiceUnavailable,
	"closed": http.StatusServiceUnavailable, "not_ready": http.StatusServiceUnavailable,
}

// reasonsOf returns the reason codes of a refusal that has them: the
// health conditions behind not_ready, the reason of invalid_efirma.
func reasonsOf(err error) []string {
	var nr *session.NotReadyError
	var ef *session.EFirmaError
	switch {
	case errors.As(err, &nr):
		return nr.Codes
	case errors.As(err, &ef):
		return []string{ef.Reason}
	}
	return nil
}

// fail writes err: a body problem, an engine refusal, or an internal error.
func (s *Server) fail(w http.ResponseWriter, err error) {
	var be *bodyError
	var se *session.Error
	switch {
	case errors.As(err, &be):
		writeError(w, be.status, be.code, be.msg)
	case errors.As(err, &se):
		var fields []session.FieldError
		var fe *session.FieldError
		if errors.As(err, &fe) {
			fields = append(fields, *fe)
		}
		code, ok := statusOf[se.Code]
		if !ok {
			code = http.StatusConflict
		}
		if reasons := reasonsOf(err); reasons != nil {
			var b errorBody
			b.Error.Code, b.Error.Message, b.Error.Reasons = se.Code, se.Msg, reasons
			writeJSON(w, code, b)
			return
		}
		writeError(w, code, se.Code, se.Msg, fields...)
	default:
		s.log.Error("kiosk API internal error", "err", err)
		writeError(w, http.StatusInternalServerError, "internal", "internal error; see the daemon's log")
	}
}
