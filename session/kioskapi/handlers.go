package kioskapi

import (
	"encoding/hex"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/ventanilla-mx/ventanilla/logging"
	"github.com/ventanilla-mx/ventanilla/session"
	"github.com/ventanilla-mx/ventanilla/session/operator"
)

// stateBody is GET /api/v1/state and the stream's first event.
type stateBody struct {
	session.Snapshot
	Operator string       `json:"operator,omitempty"`
	Notices  []noticeMeta `json:"notices"`
	Preview  bool         `json:"preview"`
}

type noticeMeta struct {
	ID      string `json:"id"`
	Version string `json:"version"`
	Lang    string `json:"lang"`
	Title   string `json:"title"`
	SHA256  string `json:"sha256"`
	Text    string `json:"text,omitempty"`
}

func meta(n session.Notice, withText bool) noticeMeta {
	ref := n.Ref()
	m := noticeMeta{ID: n.ID, Version: n.Version, Lang: n.Lang, Title: n.Title, SHA256: hex.EncodeToString(ref.SHA256[:])}
	if withText {
		m.Text = n.Text
	}
	return m
}

// publicState is what a caller without the clerk's login sees: the
// coarse phase and the notices' metadata, nothing of the session (not
// even the event sequence, whose steps would count capture retries).
type publicState struct {
	State   session.State `json:"state"`
	Notices []noticeMeta  `json:"notices"`
	// NotReady: the kiosk refuses new sessions now (the clerk's view
	// has the reasons).
	NotReady bool `json:"not_ready,omitempty"`
}

func (s *Server) state() stateBody {
	b := stateBody{Snapshot: s.e.Snapshot(), Preview: s.o.Preview && s.e.HasPreview()}
	b.Operator, _ = s.auth.Current()
	b.Notices = s.noticeList()
	return b
}

func (s *Server) noticeList() []noticeMeta {
	var out []noticeMeta
	for _, n := range s.e.Notices() {
		out = append(out, meta(n, false))
	}
	return out
}

// view is the state for the clerk, or the public state for anyone else.
func (s *Server) view(clerk bool) any {
	if clerk {
		return s.state()
	}
	snap := s.e.Snapshot()
	return publicState{State: snap.State, Notices: s.noticeList(), NotReady: len(snap.NotReady) > 0}
}

// getState answers the whole state to the clerk (without touching their
// idle clock) and the public state to anyone else.
func (s *Server) getState(w http.ResponseWriter, r *http.Request) {
	_, clerk := s.auth.Peek(bearer(r))
	writeJSON(w, http.StatusOK, s.view(clerk))
}

func (s *Server) getNotice(w http.ResponseWriter, r *http.Request) {
	lang := r.URL.Query().Get("lang")
	notices := s.e.Notices()
	for _, n := range notices {
		if n.Lang == lang {
			writeJSON(w, http.StatusOK, meta(n, true))
			return
		}
	}
	writeJSON(w, http.StatusOK, meta(notices[0], true)) // the legal (first) text
}

func (s *Server) getModel(w http.ResponseWriter, r *http.Request) {
	fields, err := s.e.Fields(r.PathValue("model"))
	if err != nil {
		s.fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"model": r.PathValue("model"), "fields": fields})
}

func (s *Server) login(rw http.ResponseWriter, r *http.Request) {
	x, err := s.takeSecret(rw, r, maxBody)
	if x == nil {
		s.fail(rw, err)
		return
	}
	defer x.finish()
	var w http.ResponseWriter = x
	var b loginBody
	if err == nil {
		err = decodeStrict(x.body, &b)
	}
	clear(x.body)
	defer clear(b.PIN)
	if err != nil {
		s.fail(w, err)
		return
	}
	tok, err := s.auth.LoginFrom(ClientOf(r), b.Operator, b.PIN)
	var le *operator.LockedError
	switch {
	case errors.As(err, &le):
		left := int(le.Remaining(time.Now()).Seconds() + 0.999)
		w.Header().Set("Retry-After", strconv.Itoa(left))
		code := "locked"
		if errors.Is(err, operator.ErrTooFast) {
			code = "too_fast"
		}
		var eb errorBody
		eb.Error.Code, eb.Error.Message, eb.Error.RetryAfter = code, le.Error(), left
		writeJSON(w, http.StatusTooManyRequests, eb)
	case err != nil:
		s.log.Warn("operator login failed")
		writeError(w, http.StatusUnauthorized, "bad_login", "wrong operator id or PIN")
	default:
		s.log.Info("operator logged in", "operator", b.Operator)
		s.e.Publish(session.KindOperator)
		writeJSON(w, http.StatusOK, map[string]string{"operator": b.Operator, "token": tok})
	}
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	tok := bearer(r)
	if !s.auth.Logout(tok) {
		writeError(w, http.StatusUnauthorized, "operator_required", "no operator is logged in with that token")
		return
	}
	s.e.Publish(session.KindOperator)
	writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
}

func bearer(r *http.Request) string {
	const p = "Bearer "
	if h := r.Header.Get("Authorization"); len(h) > len(p) && h[:len(p)] == p {
		return h[len(p):]
	}
	return ""
}

func (s *Server) claim(w http.ResponseWriter, r *http.Request, op string) {
	id, err := s.e.Claim(op)
	if err != nil {
		s.fail(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"session": id})
}

func sid(r *http.Request) logging.SessionID { return logging.SessionID(r.PathValue("id")) }

// small decodes a small JSON body into v (an empty body means {}).
func small(w http.ResponseWriter, r *http.Request, v any) error {
	if r.ContentLength == 0 && r.Header.Get("Content-Type") == "" {
		return nil
	}
	body, err := readBody(w, r, maxBody)
	if err != nil {
		return err
	}
	if len(body) == 0 {
		return nil
	}
	return decodeStrict(body, v)
}

func (s *Server) abort(w http.ResponseWriter, r *http.Request, _ string) {
	var b abortBody
	if err := small(w, r, &b); err != nil {
		s.fail(w, err)
		return
	}
	why := session.EndOperator
	if b.Reason == string(session.EndCitizen) {
		why = session.EndCitizen
	}
	s.reply(w, s.e.Abort(sid(r), why))
}

func (s *Server) acceptNotice(w http.ResponseWriter, r *http.Request, _ string) {
	var b noticeBody
	if err := small(w, r, &b); err != nil {
		s.fail(w, err)
		return
	}
	ref := session.NoticeRef{ID: b.ID, Version: b.Version, Lang: b.Lang}
	d, err := hex.DecodeString(b.SHA256)
	if err != nil || len(d) != 32 {
		s.fail(w, session.ErrNoticeMismatch)
		return
	}
	copy(ref.SHA256[:], d)
	s.reply(w, s.e.AcceptNotice(sid(r), ref))
}

func (s *Server) consent(w http.ResponseWriter, r *http.Request, _ string) {
	body, err := readBody(w, r, maxSignatureBody)
	var b signatureBody
	if err == nil {
		err = decodeStrict(body, &b)
	}
	clear(body)
	defer b.wipe()
	if err != nil {
		s.fail(w, err)
		return
	}
	sig, err := b.signature()
	if err != nil {
		s.fail(w, err)
		return
	}
	id, err := s.e.SignConsent(r.Context(), sid(r), sig)
	if err != nil {
		s.fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"consent": id})
}

// typedConsent is the keyboard consent path (issue 13, finding 7): the
// citizen types the acceptance phrase instead of drawing a signature.
func (s *Server) typedConsent(w http.ResponseWriter, r *http.Request, _ string) {
	var b typedBody
	if err := small(w, r, &b); err != nil {
		s.fail(w, err)
		return
	}
	id, err := s.e.TypeConsent(r.Context(), sid(r), b.Phrase)
	if err != nil {
		s.fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"consent": id})
}

// secretJSON reads a secret body off the connection (takeSecret), decodes
// it strictly into v and wipes the raw bytes; the caller wipes v. A nil
// exchange means the refusal was already answered.
func (s *Server) secretJSON(rw http.ResponseWriter, r *http.Request, limit int64, v any) (*secretExchange, error) {
	x, err := s.takeSecret(rw, r, limit)
	if x == nil {
		s.fail(rw, err)
		return nil, err
	}
	if err == nil {
		err = decodeStrict(x.body, v)
	}
	clear(x.body)
	return x, err
}

// efirmaConsent is the e.firma consent path (issue 13, item 7): the
// citizen's .cer, .key and password, read off the connection like a PIN.
func (s *Server) efirmaConsent(rw http.ResponseWriter, r *http.Request, _ string) {
	var b efirmaBody
	x, err := s.secretJSON(rw, r, maxSignatureBody, &b)
	if x == nil {
		return
	}
	defer x.finish()
	f := b.files()
	defer f.Wipe()
	if err != nil {
		s.fail(x, err)
		return
	}
	id, err := s.e.EFirmaConsent(r.Context(), sid(r), f)
	if err != nil {
		s.fail(x, err)
		return
	}
	writeJSON(x, http.StatusOK, map[string]string{"consent": id})
}

func (s *Server) credential(rw http.ResponseWriter, r *http.Request, _ string) {
	var b credentialBody
	x, err := s.secretJSON(rw, r, maxBody, &b)
	if x == nil {
		return
	}
	defer x.finish()
	defer b.wipe()
	if err != nil {
		s.fail(x, err)
		return
	}
	s.reply(x, s.e.SetCredential(sid(r), b.Model, b.values()))
}

func (s *Server) finger(w http.ResponseWriter, r *http.Request, _ string) {
	var b fingerBody
	if err := small(w, r, &b); err != nil {
		s.fail(w, err)
		return
	}
	s.replyAccepted(w, s.e.StartFinger(sid(r), b.Position))
}

// step is a clerk's action on the session in the path that takes an
// empty body: act runs it, and the answer is 202 when its outcome arrives
// on the event stream (async), else 200.
func (s *Server) step(act func(logging.SessionID) error, async bool) func(http.ResponseWriter, *http.Request, string) {
	return func(w http.ResponseWriter, r *http.Request, _ string) {
		if err := small(w, r, &struct{}{}); err != nil {
			s.fail(w, err)
			return
		}
		if async {
			s.replyAccepted(w, act(sid(r)))
			return
		}
		s.reply(w, act(sid(r)))
	}
}

func (s *Server) reply(w http.ResponseWriter, err error) {
	if err != nil {
		s.fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
}

// replyAccepted answers 202: the outcome arrives on the event stream.
func (s *Server) replyAccepted(w http.ResponseWriter, err error) {
	if err != nil {
		s.fail(w, err)
		return
	}
	writeJSON(w, http.StatusAccepted, map[string]bool{"ok": true})
}
