package archive

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/ventanilla-mx/ventanilla/archive/wire"
)

// Handler serves pushes. The TLS layer has verified the client certificate
// against the kiosk CA; its common name must be the pushing kiosk's id.
func (a *Archive) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+wire.PushPath, a.servePush)
	return mux
}

func (a *Archive) servePush(w http.ResponseWriter, r *http.Request) {
	if r.TLS == nil || len(r.TLS.PeerCertificates) == 0 {
		reply(w, http.StatusUnauthorized, wire.WireAck{Error: "client certificate required", Code: "rejected"})
		return
	}
	p, err := wire.DecodePush(r.Body)
	if err != nil {
		reply(w, http.StatusBadRequest, wire.WireAck{Error: err.Error(), Code: "rejected"})
		return
	}
	if cn := r.TLS.PeerCertificates[0].Subject.CommonName; cn != p.KioskID {
		reply(w, http.StatusForbidden, wire.WireAck{Error: "certificate names another kiosk", Code: "rejected"})
		return
	}
	ack, err := a.Ingest(r.Context(), p)
	if err != nil {
		status, code := classify(err)
		reply(w, status, wire.WireAck{Error: err.Error(), Code: code})
		return
	}
	reply(w, http.StatusOK, wire.WireAck{Size: ack.Size, Cosigned: ack.Cosigned})
}

func classify(err error) (int, string) {
	switch {
	case errors.Is(err, ErrFork):
		return http.StatusConflict, "fork"
	case errors.Is(err, ErrGap):
		return http.StatusConflict, "gap"
	case errors.Is(err, ErrUnknownKiosk):
		return http.StatusForbidden, "unknown-kiosk"
	case errors.Is(err, ErrRejected):
		return http.StatusBadRequest, "rejected"
	}
	return http.StatusServiceUnavailable, "unavailable"
}

func reply(w http.ResponseWriter, status int, a wire.WireAck) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(&a)
}
