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

// serveEvents is the Server-Sent Events stream: a "snapshot" event first
// (the whole state), then every engine event as "event: <kind>". An open
// stream counts as an attached kiosk screen. A subscriber that falls
// behind is cut off; EventSource reconnects and gets a fresh snapshot.
func (s *Server) serveEvents(w http.ResponseWriter, r *http.Request) {
	fl, ok := w.(http.Flusher)
	if !ok {
		writeError(w, http.StatusInternalServerError, "internal", "streaming unsupported")
		return
	}
	events, cancel := s.e.Subscribe()
	defer cancel()
	detach := s.e.Attach()
	defer detach()
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	fmt.Fprint(w, "retry: 1000\n\n")
	if writeEvent(w, "snapshot", 0, s.state()) != nil {
		return
	}
	fl.Flush()
	s.pump(r.Context(), w, fl, events)
}

// pump copies events to the client until it goes away, the server
// closes, or the subscription is cut.
func (s *Server) pump(ctx context.Context, w http.ResponseWriter, fl http.Flusher, events <-chan session.Event) {
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
			if !ok || writeEvent(w, string(ev.Kind), ev.Seq, ev) != nil {
				return
			}
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
// (MJPEG) while the session's face capture runs. Frames go straight from
// the capturer to the socket; nothing is kept.
func (s *Server) servePreview(w http.ResponseWriter, r *http.Request) {
	if !s.o.Preview || !s.e.HasPreview() {
		writeError(w, http.StatusNotFound, "preview_off", "the camera preview is turned off on this kiosk")
		return
	}
	fl, _ := w.(http.Flusher)
	started := false
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	stop := context.AfterFunc(s.ctx, cancel)
	defer stop()
	err := s.e.Preview(ctx, sid(r), func(jpeg []byte) error {
		if len(jpeg) > maxPreviewFrame {
			return errFrameTooLarge
		}
		if !started {
			w.Header().Set("Content-Type", "multipart/x-mixed-replace; boundary=frame")
			w.WriteHeader(http.StatusOK)
			started = true
		}
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
	})
	if err != nil && !started {
		s.fail(w, err)
	}
}
