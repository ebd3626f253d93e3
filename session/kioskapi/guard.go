package kioskapi

import (
	"crypto/subtle"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// CSP is the Content-Security-Policy of every response: scripts, styles
// and images only from this server, no inline script, no framing.
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// TokenHeader carries the per-boot token on API requests.
const TokenHeader = "X-Ventanilla-Token"

// LoopbackHost reports whether a Host header names this machine (the
// DNS-rebinding defence; the daemon's metrics listener uses it too).
func LoopbackHost(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	} else if strings.Contains(hostport, ":") && !strings.HasPrefix(hostport, "[") {
		return false
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// secureHeaders are set on every response.
func secureHeaders(h http.Header) {
	h.Set("Content-Security-Policy", CSP)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Cross-Origin-Resource-Policy", "same-origin")
	h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=()")
	h.Set("Cache-Control", "no-store")
}

// guard applies the host, origin and fetch-metadata checks to every
// request, and the token check to /api/.
func (s *Server) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		secureHeaders(w.Header())
		if !LoopbackHost(r.Host) {
			s.refuse(w, r, http.StatusMisdirectedRequest, "bad_host",
				"this service answers only to a loopback host name (localhost, 127.0.0.1, [::1])")
			return
		}
		if !s.peerAllowed(r) {
			s.refuse(w, r, http.StatusForbidden, "bad_peer", "this kiosk answers only to the kiosk browser's user")
			return
		}
		if o := r.Header.Get("Origin"); o != "" && o != "http://"+r.Host {
			s.refuse(w, r, http.StatusForbidden, "bad_origin", "requests from other origins are refused")
			return
		}
		if site := r.Header.Get("Sec-Fetch-Site"); site != "" && site != "same-origin" && site != "none" {
			s.refuse(w, r, http.StatusForbidden, "bad_origin", "cross-site requests are refused")
			return
		}
		if strings.HasPrefix(r.URL.Path, "/api/") && !s.tokenOK(r) {
			s.refuse(w, r, http.StatusForbidden, "bad_token", "missing or wrong kiosk token; reload the kiosk page")
			return
		}
		if !s.bodyDeadline(w, r) {
			return
		}
		next.ServeHTTP(w, r)
	})
}

// bodyDeadline bounds the time to read a request body (a slow-loris body
// is cut when it runs out; readBody lifts it once the body is in). GET and
// HEAD may not carry a body: they are the long streams, which must not
// run under a read deadline.
func (s *Server) bodyDeadline(w http.ResponseWriter, r *http.Request) bool {
	if r.ContentLength == 0 && len(r.TransferEncoding) == 0 {
		return true
	}
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		w.Header().Set("Connection", "close")
		s.refuse(w, r, http.StatusBadRequest, "bad_body", "GET requests carry no body")
		return false
	}
	_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(s.o.BodyTimeout))
	return true
}

// peerAllowed applies Opts.AllowedUIDs (fail closed: an unknown peer is
// refused when a list is set).
func (s *Server) peerAllowed(r *http.Request) bool {
	if len(s.o.AllowedUIDs) == 0 {
		return true
	}
	peer := ClientOf(r)
	for _, uid := range s.o.AllowedUIDs {
		if peer == "uid:"+strconv.Itoa(uid) {
			return true
		}
	}
	return false
}

func (s *Server) tokenOK(r *http.Request) bool {
	got := r.Header.Get(TokenHeader)
	if got == "" && r.Method == http.MethodGet {
		got = r.URL.Query().Get("t") // EventSource and <img> cannot set headers
	}
	return subtle.ConstantTimeCompare([]byte(got), []byte(s.token)) == 1
}

func (s *Server) refuse(w http.ResponseWriter, r *http.Request, code int, errCode, msg string) {
	s.log.Warn("kiosk API request refused", "method", r.Method, "path", r.URL.Path, "code", errCode)
	writeError(w, code, errCode, msg)
}

// operator returns the operator logged in with the request's bearer token.
func (s *Server) operator(r *http.Request) (string, bool) {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		return "", false
	}
	return s.auth.Check(tok)
}

// needOperator wraps handlers that only a logged-in operator may call.
func (s *Server) needOperator(h func(http.ResponseWriter, *http.Request, string)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		op, ok := s.operator(r)
		if !ok {
			w.Header().Set("WWW-Authenticate", `Bearer realm="ventanilla-operator"`)
			writeError(w, http.StatusUnauthorized, "operator_required", "an operator must log in with their PIN first")
			return
		}
		h(w, r, op)
	}
}
