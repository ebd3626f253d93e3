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
		a.fail(w, http.StatusUnauthorized, "client certificate required", "rejected")
		return
	}
	cert := r.TLS.PeerCertificates[0]
	if err := a.checkRevoked(r.Context(), cert); err != nil {
		status, code := classify(err)
		a.fail(w, status, err.Error(), code)
		return
	}
	p, err := wire.DecodePush(r.Body)
	if err != nil {
		a.fail(w, http.StatusBadRequest, err.Error(), "rejected")
		return
	}
	if cert.Subject.CommonName != p.KioskID {
		a.fail(w, http.StatusForbidden, "certificate names another kiosk", "rejected")
		return
	}
	ack, err := a.Ingest(r.Context(), p)
	if err != nil {
		status, code := classify(err)
		a.fail(w, status, err.Error(), code)
		return
	}
	a.metrics.push("ok")
	reply(w, http.StatusOK, wire.WireAck{Size: ack.Size, Cosigned: ack.Cosigned})
}

// fail answers a refused push and counts it by its code.
func (a *Archive) fail(w http.ResponseWriter, status int, msg, code string) {
	a.metrics.push(code)
	reply(w, status, wire.WireAck{Error: msg, Code: code})
}

func classify(err error) (int, string) {
	switch {
	case errors.Is(err, ErrRevoked):
		return http.StatusForbidden, "revoked"
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
