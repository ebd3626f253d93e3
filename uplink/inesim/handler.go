package inesim

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/ventanilla-mx/ventanilla/devicekey"
	"github.com/ventanilla-mx/ventanilla/secmem"
	"github.com/ventanilla-mx/ventanilla/uplink"
)

// refusal is a protocol error answered with a JSON error body.
type refusal struct {
	code int
	name string
}

func (r *refusal) Error() string { return fmt.Sprintf("inesim: refused: %d %s", r.code, r.name) }

func refuse(code int, name string) *refusal { return &refusal{code, name} }

func errorResponse(code int, name string) *response {
	b, _ := json.Marshal(uplink.ErrorBody{Error: name, Retry: code >= 500 || code == http.StatusTooManyRequests})
	return &response{code: code, ctype: "application/json", body: b}
}

func write(w http.ResponseWriter, r *response) {
	w.Header().Set("Content-Type", r.ctype)
	w.WriteHeader(r.code)
	w.Write(r.body)
}

func (s *Service) serveVerify(w http.ResponseWriter, r *http.Request) {
	s.count(func(st *Stats) { st.Requests++ })
	f, fire := s.fault()
	wait(r.Context(), f.Latency)
	if fire && (f.Mode == FaultServerError || f.Mode == FaultTimeout) {
		s.count(func(st *Stats) { st.Faulted++ })
		if f.Mode == FaultTimeout {
			<-r.Context().Done() // hold until the client gives up
			return
		}
		write(w, errorResponse(http.StatusServiceUnavailable, "unavailable"))
		return
	}
	if r.Header.Get("Content-Type") != uplink.ContentTypeRequest {
		s.refused(w, refuse(http.StatusUnsupportedMediaType, "bad-envelope"))
		return
	}
	body, err := readBody(w, r, s.opts.MaxBody)
	if err != nil {
		s.refused(w, refuse(http.StatusRequestEntityTooLarge, "too-large"))
		return
	}
	defer secmem.Wipe(body)
	signer := s.opts.Signer
	if fire && f.Mode == FaultBadSignature {
		signer = throwawaySigner()
	}
	resp, dup := s.process(r, body, signer)
	if resp.code != http.StatusOK {
		s.refused(w, &refusal{resp.code, ""})
		write(w, resp)
		return
	}
	s.count(func(st *Stats) {
		st.Answered++
		if dup {
			st.Duplicate++
		}
	})
	write(w, s.faultAnswer(resp, f, fire))
}

// readBody reads a request body of at most max bytes. A declared length
// (HTTP/2 and HTTP/1.1 with Content-Length; net/http refuses a body that
// does not match it) is read into one allocation, instead of io.ReadAll's
// growing copies of a ~135 KB envelope.
func readBody(w http.ResponseWriter, r *http.Request, max int64) ([]byte, error) {
	body := http.MaxBytesReader(w, r.Body, max)
	if n := r.ContentLength; n > 0 && n <= max {
		buf := make([]byte, n)
		if _, err := io.ReadFull(body, buf); err != nil {
			return nil, err
		}
		return buf, nil
	}
	return io.ReadAll(body)
}

func (s *Service) refused(w http.ResponseWriter, r *refusal) {
	s.count(func(st *Stats) { st.Refused++ })
	if r.name != "" {
		write(w, errorResponse(r.code, r.name))
	}
}

// process runs the protocol checks and the lookup; dup reports an answer
// served from the idempotency cache.
func (s *Service) process(r *http.Request, body []byte, signer devicekey.Signer) (resp *response, dup bool) {
	rec, err := uplink.OpenRequest(s.opts.Keys, body)
	if err != nil {
		return errorResponse(openRefusal(err)), false
	}
	defer rec.Wipe()
	if ref := s.authenticate(r, rec); ref != nil {
		return errorResponse(ref.code, ref.name), false
	}
	e, verdict := s.guard.begin(s.opts.Now(), rec.RequestID, rec.Digest, rec.Nonce)
	switch verdict {
	case guardConflict:
		return errorResponse(http.StatusConflict, "conflict"), false
	case guardReplay:
		return errorResponse(http.StatusConflict, "replay"), false
	case guardFollower:
		select {
		case <-e.done:
			return e.resp, true
		case <-r.Context().Done():
			return errorResponse(http.StatusServiceUnavailable, "unavailable"), false
		}
	}
	resp = s.answer(rec, signer)
	s.guard.finish(e, resp)
	return resp, false
}

func openRefusal(err error) (int, string) {
	switch {
	case errors.Is(err, uplink.ErrUnknownKey):
		return http.StatusBadRequest, "unknown-key"
	case errors.Is(err, uplink.ErrDecrypt):
		return http.StatusBadRequest, "decrypt"
	}
	return http.StatusBadRequest, "malformed"
}

// authenticate checks everything that says who sent the request and when.
func (s *Service) authenticate(r *http.Request, rec *uplink.Received) *refusal {
	if r.Header.Get("Idempotency-Key") != rec.RequestID {
		return refuse(http.StatusBadRequest, "malformed")
	}
	pub, ok := s.kioskKey(rec.KioskID)
	if !ok {
		return refuse(http.StatusForbidden, "unknown-kiosk")
	}
	if s.opts.RequireClientCert && !certNames(r, rec.KioskID) {
		return refuse(http.StatusForbidden, "kiosk-mismatch")
	}
	if rec.VerifySignature(pub) != nil {
		return refuse(http.StatusForbidden, "bad-signature")
	}
	skew := s.opts.Now().Sub(rec.CreatedAt)
	if skew > s.opts.ReplayWindow || skew < -s.opts.ReplayWindow {
		return refuse(http.StatusBadRequest, "stale")
	}
	return nil
}

func certNames(r *http.Request, kioskID string) bool {
	if r.TLS == nil || len(r.TLS.PeerCertificates) == 0 {
		return false
	}
	return r.TLS.PeerCertificates[0].Subject.CommonName == kioskID
}

// answer validates, checks consent, decides and seals.
func (s *Service) answer(rec *uplink.Received, signer devicekey.Signer) *response {
	if err := rec.Validate(); err != nil {
		return errorResponse(http.StatusUnprocessableEntity, "invalid")
	}
	if rec.Liveness != nil && rec.Liveness.Decision != uplink.LivenessLive && hasFace(rec) {
		return errorResponse(http.StatusUnprocessableEntity, "liveness")
	}
	pub, _ := s.kioskKey(rec.KioskID)
	if _, err := rec.Consent.Verify(rec.KioskID, rec.RequestID, pub); err != nil {
		return errorResponse(http.StatusForbidden, "consent")
	}
	if !s.consents.claim(rec.Consent.RecordHash, rec.RequestID) {
		return errorResponse(http.StatusConflict, "consent-reused")
	}
	a, err := s.decide(rec)
	if err != nil {
		return errorResponse(http.StatusUnprocessableEntity, "biometric")
	}
	s.consents.settle(rec.Consent.RecordHash, rec.RequestID, a.Status)
	sealed, err := rec.SealAnswer(a, signer, s.opts.Now())
	if err != nil {
		return errorResponse(http.StatusInternalServerError, "internal")
	}
	return &response{code: http.StatusOK, ctype: uplink.ContentTypeAnswer, body: sealed}
}

func hasFace(rec *uplink.Received) bool {
	for _, b := range rec.Biometrics {
		if b.Kind == uplink.KindFace {
			return true
		}
	}
	return false
}

// decide looks the credential up and scores the biometrics against the
// citizen's references (only when the data match).
func (s *Service) decide(rec *uplink.Received) (uplink.Answer, error) {
	a := uplink.Answer{FaceSimilarity: -1, FingerSimilarity: -1, TransactionID: s.transactionID()}
	var cit *Citizen
	a.Status, cit = s.opts.Registry.Decide(rec.Credential)
	if cit == nil {
		return a, nil
	}
	for _, b := range rec.Biometrics {
		if err := s.score(&a, cit, b); err != nil {
			return a, err
		}
	}
	return a, nil
}

func (s *Service) score(a *uplink.Answer, cit *Citizen, b uplink.Biometric) error {
	var err error
	switch {
	case b.Kind == uplink.KindFace && cit.Face != nil:
		a.FaceSimilarity, err = s.opts.Matcher.FaceSimilarity(b.Data, cit.Face)
	case b.Kind == uplink.KindFinger && cit.Fingers[b.Position] != nil && a.FingerSimilarity < 0:
		a.FingerPosition = b.Position
		a.FingerSimilarity, err = s.opts.Matcher.FingerSimilarity(b.Data, b.Format, cit.Fingers[b.Position])
	}
	return err
}

// faultAnswer applies answer-level faults to a 200 response.
func (s *Service) faultAnswer(resp *response, f Faults, fire bool) *response {
	s.mu.Lock()
	prev := s.lastAnswer
	s.lastAnswer = resp.body
	s.mu.Unlock()
	if !fire {
		return resp
	}
	s.count(func(st *Stats) { st.Faulted++ })
	switch f.Mode {
	case FaultMalformed:
		return &response{code: http.StatusOK, ctype: uplink.ContentTypeAnswer, body: []byte("VNTLANS2 this is not an answer")}
	case FaultReplayedAnswer:
		if prev != nil {
			return &response{code: http.StatusOK, ctype: uplink.ContentTypeAnswer, body: prev}
		}
	}
	return resp
}

// throwawaySigner is a fresh key INE's kiosks do not know (bad-signature
// fault).
func throwawaySigner() devicekey.Signer {
	k, err := devicekey.Generate()
	if err != nil {
		panic("inesim: cannot generate a key: " + err.Error())
	}
	return k
}
