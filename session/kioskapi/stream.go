package kioskapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/ventanilla-mx/ventanilla/session"
)

// serveEvents is the Server-Sent Events stream. The clerk's stream
// (operator bearer token; the page reads it with fetch, since EventSource
// cannot send headers) gets a "snapshot" event first (the whole state),
// then every engine event as "event: <kind>", and counts as an attached
// kiosk screen. Anyone else with the page token gets only the coarse
// phase: a "snapshot" of the public state whenever the phase changes; it
// does not attach, so it cannot keep a session from being aborted for
// client loss. A subscriber that falls behind is cut off, and the clerk's
// stream ends when that login does; the page reconnects.
func (s *Server) serveEvents(w http.ResponseWriter, r *http.Request) {
	fl, ok := w.(http.Flusher)
	if !ok {
		writeError(w, http.StatusInternalServerError, "internal", "streaming unsupported")
		return
	}
	tok := bearer(r)
	_, clerk := s.auth.Peek(tok)
	events, cancel := s.e.Subscribe()
	defer cancel()
	if clerk {
		detach := s.e.Attach()
		defer detach()
	}
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	fmt.Fprint(w, "retry: 1000\n\n")
	if writeEvent(w, "snapshot", 0, s.view(clerk)) != nil {
		return
	}
	fl.Flush()
	if clerk {
		s.pump(r.Context(), w, fl, events, tok)
	} else {
		s.pumpPhase(r.Context(), w, fl, events)
	}
}

// pump copies events to the clerk until they go away, log out, the
// server closes, or the subscription is cut.
func (s *Server) pump(ctx context.Context, w http.ResponseWriter, fl http.Flusher, events <-chan session.Event, tok string) {
	s.stream(ctx, w, fl, events, func(ev session.Event) error {
		return writeEvent(w, string(ev.Kind), ev.Seq, ev)
	}, func() bool {
		_, ok := s.auth.Peek(tok)
		return ok
	})
}

// pumpPhase sends the public state each time the phase changes.
func (s *Server) pumpPhase(ctx context.Context, w http.ResponseWriter, fl http.Flusher, events <-chan session.Event) {
	last := s.e.Snapshot().State
	s.stream(ctx, w, fl, events, func(ev session.Event) error {
		if ev.State == last {
			return nil
		}
		last = ev.State
		return writeEvent(w, "snapshot", 0, s.view(false))
	}, func() bool { return true })
}

// stream is the loop of both streams: a keep-alive comment every
// heartbeat and each event through send, flushed, until the request or
// the server ends, the subscription is cut, a write fails or alive says
// the stream's login is over.
func (s *Server) stream(ctx context.Context, w http.ResponseWriter, fl http.Flusher, events <-chan session.Event,
	send func(session.Event) error, alive func() bool) {
	beat := time.NewTicker(s.o.Heartbeat)
	defer beat.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.ctx.Done():
			return
		case <-beat.C:
			if _, err := fmt.Fprint(w, ": keep-alive\n\n"); err != nil {
				return
			}
		case ev, ok := <-events:
			if !ok || send(ev) != nil {
				return
			}
		}
		if !alive() {
			return
		}
		fl.Flush()
	}
}

func writeEvent(w http.ResponseWriter, kind string, seq uint64, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if seq > 0 {
		_, err = fmt.Fprintf(w, "id: %d\nevent: %s\ndata: %s\n\n", seq, kind, data)
	} else {
		_, err = fmt.Fprintf(w, "event: %s\ndata: %s\n\n", kind, data)
	}
	return err
}

// maxPreviewFrame bounds one preview JPEG: the preview is low resolution.
const maxPreviewFrame = 256 << 10

var crlf = []byte("\r\n")

var errFrameTooLarge = errors.New("preview frame too large")

// servePreview streams the camera preview as multipart/x-mixed-replace
// (MJPEG) while the session's face capture runs, to the clerk's page only:
// it needs the one-time preview secret (see previewSecret), and stops when
// the login it was issued under ends. Frames go straight from the
// capturer to the socket; nothing is kept.
func (s *Server) servePreview(w http.ResponseWriter, r *http.Request) {
	if !s.o.Preview || !s.e.HasPreview() {
		writeError(w, http.StatusNotFound, "preview_off", "the camera preview is turned off on this kiosk")
		return
	}
	login, refused := s.takeTicket(r)
	if refused != 0 {
		refusePreview(w, refused)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: previewCookie, Path: r.URL.Path, MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteStrictMode})
	fl, _ := w.(http.Flusher)
	started := false
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	stop := context.AfterFunc(s.ctx, cancel)
	defer stop()
	err := s.e.Preview(ctx, sid(r), func(jpeg []byte) error {
		if _, ok := s.auth.Peek(login); !ok {
			return errLoggedOut
		}
		if len(jpeg) > maxPreviewFrame {
			return errFrameTooLarge
		}
		if !started {
			w.Header().Set("Content-Type", "multipart/x-mixed-replace; boundary=frame")
			w.WriteHeader(http.StatusOK)
			started = true
		}
		return writeFrame(w, fl, jpeg)
	})
	if err != nil && !started {
		s.fail(w, err)
	}
}

var errLoggedOut = errors.New("the clerk logged out")

func writeFrame(w http.ResponseWriter, fl http.Flusher, jpeg []byte) error {
	if _, err := fmt.Fprintf(w, "--frame\r\nContent-Type: image/jpeg\r\nContent-Length: %d\r\n\r\n", len(jpeg)); err != nil {
		return err
	}
	if _, err := w.Write(jpeg); err != nil {
		return err
	}
	if _, err := w.Write(crlf); err != nil {
		return err
	}
	if fl != nil {
		fl.Flush()
	}
	return nil
}
